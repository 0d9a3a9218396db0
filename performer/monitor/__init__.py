"""`performer monitor`: the show at a glance, in a terminal or a browser, attached to a running rig."""
