"""``reader serve``: the same Textual app, one process per browser session (textual-serve).

Nothing here imports Textual: each session is a child ``reader open`` process whose screen
travels over a websocket (textual-serve's protocol); this package is the web server around it.
"""
