"""The regulator's side of compliance: who may read, and the log of every read (issue 16 part 5).

The regulator's read queries that join loans, notes and repayments live above this layer, in
``peerlend.disclosure.regulator``; this package holds only what the shared base may know.
"""
