"""Live refresh between PCs: change notes after commit, who is editing what, and the
connection's state (issue 17).

Plain Python, below the UI and above the services (services never import it; bootstrap
wires the sender; ``ui/live.py`` runs the listener and turns it into the app's change signal).
"""
