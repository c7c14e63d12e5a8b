"""Price reactions to stories: the event study, its aggregates and their storage."""
