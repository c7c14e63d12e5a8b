"""Streamlit-free helpers the dashboard pages call: URL filters, card views, escaped text."""
