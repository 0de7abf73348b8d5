"""Settings: finding config files (``location``), reading them (``files``), the keys they may
hold and how each is checked (``keys``, ``option``, ``values``), merging them with the command
line (``resolve``) into the settings for one file (``settings``), and printing those
(``show``). It imports nothing: a run answered from the result cache imports ``location`` alone.
"""
