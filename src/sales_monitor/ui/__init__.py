"""The Streamlit app: `app.py` is the entry point, one file per page beside it."""
