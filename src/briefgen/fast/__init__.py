"""Fast paths: shortcuts that promise the output of the reference code they skip.

Each lives in a module named after the one it accelerates (`fast.markdown`
beside markdown.py, ...), and `switch` turns all of them off at once.
"""
