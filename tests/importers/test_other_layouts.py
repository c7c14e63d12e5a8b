"""Plain text laid out by other terminals, wires and press-release services."""

from __future__ import annotations

from datetime import UTC, datetime

from terminal.importers import plaintext
from terminal.importers.plaintext import read_text

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def one(text: str):
    result = read_text(text, now=NOW)
    [story] = result.records
    return story, result.warnings


def test_reuters_dateline_names_the_publisher_and_the_byline_and_credits_leave_the_summary():
    story, _ = one(
        "Nvidia shares rise after China approves H20 sales\n\nBy Stephen Nellis\n\n"
        "NEW YORK, Sept 18 (Reuters) - Nvidia shares rose 3% on Thursday.\n\n"
        "The move eases a standoff.\n\nReporting by Stephen Nellis; Editing by Jane Doe\n"
    )
    assert story.publisher == "Reuters"
    assert story.extra["author"] == "Stephen Nellis"
    assert story.summary.startswith("NEW YORK, Sept 18 (Reuters) - Nvidia")
    assert story.summary.endswith("The move eases a standoff.")


def test_bloomberg_reading_list_goes_but_the_rest_of_the_story_stays():
    story, _ = one(
        "Tesla Slumps as Musk Pay Package Faces New Challenge\n\n"
        "(Bloomberg) -- Tesla shares fell as much as 5%.\n\n"
        "Most Read from Bloomberg\n- Apple Unveils iPhone\n\nThe stock has lost 20% this year.\n\n"
        "©2025 Bloomberg L.P.\n"
    )
    assert story.publisher == "Bloomberg"
    assert "Most Read" not in story.summary and "©" not in story.summary
    assert story.summary.endswith("The stock has lost 20% this year.")


def test_a_press_release_header_is_the_publisher_not_the_headline_and_contacts_are_dropped():
    story, _ = one(
        "Business Wire\n\nACME Corp Announces Record Third Quarter Results\n\n"
        "SAN JOSE, Calif.--(BUSINESS WIRE)--ACME Corp today announced record revenue.\n\n"
        "About ACME Corp\nACME makes everything.\n\nContacts\nInvestor Relations\nir@acme.example\n"
    )
    assert story.title == "ACME Corp Announces Record Third Quarter Results"
    assert story.publisher == "Business Wire"
    assert story.summary == (
        "SAN JOSE, Calif.--(BUSINESS WIRE)--ACME Corp today announced record revenue."
    )


def test_markdown_headings_emphasis_and_links_are_read_as_the_layout():
    story, _ = one(
        "# Intel wins $8bn CHIPS Act award\n\n**Market Impact: 0.6**\n\n*INTC*\n\n"
        "Intel was awarded up to **$8bn** under the [CHIPS Act](https://example.com/chips).\n\n"
        "## Analysis\n\nThe award strengthens Intel's foundry push.\n"
    )
    assert story.title == "Intel wins $8bn CHIPS Act award"
    assert story.impact == 0.6
    assert story.tickers == ["INTC"]
    assert story.summary == "Intel was awarded up to $8bn under the CHIPS Act."
    assert story.analysis == "The award strengthens Intel's foundry push."
    assert story.publisher == ""


def test_a_market_impact_word_is_a_label_not_the_headline():
    story, warnings = one("Market Impact: High\nMicrosoft raises dividend\nMSFT\nIt rose 10%.\n")
    assert story.title == "Microsoft raises dividend"
    assert story.impact is None and story.extra["impact_label"] == "High"
    assert any("not a number" in w for w in warnings)


def test_a_topic_line_with_one_unknown_label_keeps_the_known_ones():
    story, warnings = one(
        "Market Impact: 0.4\nChip stocks climb\nNVDA\nArtificial IntelligenceQuantum Widgets\n"
        "Chip stocks climbed.\n"
    )
    assert story.topics == ["artificial-intelligence"]
    assert story.extra["unknown_topics"] == ["Quantum Widgets"]
    assert story.summary == "Chip stocks climbed."


def test_a_published_date_without_time_is_marked_estimated():
    story, _ = one("Published: Sep 18, 2025\nHeadline here\n\nBody.\n")
    assert story.published_at == datetime(2025, 9, 18, tzinfo=UTC)
    assert story.published_estimated is True


def test_a_long_body_paragraph_is_not_searched_for_topic_labels(monkeypatch):
    # Splitting a line against every label is quadratic-ish: 9 ms per 1 KB paragraph
    # made a 50 MB file take ten minutes. Only short lines can be topic lines.
    seen: list[int] = []
    real = plaintext.split_topic_line
    monkeypatch.setattr(
        plaintext, "split_topic_line", lambda line: seen.append(len(line)) or real(line)
    )
    story, _ = one("Headline\n\n" + "Some body text sentence. " * 400 + "\n")
    assert story.summary.startswith("Some body text")
    assert all(length <= plaintext.MAX_TOPIC_LINE for length in seen)
