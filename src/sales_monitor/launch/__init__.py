"""Starting and stopping what the commands run: child processes that die with their parent
(`processes`), the dashboard's web server (`web`) and the demo's three pieces (`demo`)."""
