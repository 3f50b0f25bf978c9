#!/usr/bin/env python
"""Django's command-line utility; the installed ``peerlend`` script does the same."""

from peerlend.cli import main

if __name__ == "__main__":
    main()
