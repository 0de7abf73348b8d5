"""The persistent caches, in the user's cache folder: where they live and how a cache file is
read and written (``files``), each file's diagnostics (``results``, its entries' records in
``records``) and parsed image references (``references``). A missing, corrupt or unwritable
cache is never an error. This package imports nothing: the cached run loads only what it uses.
"""
