"""The web workbench at /ui/: server-rendered pages for the compliance officer and the sales desk.

Pages run the same service functions as the API, with the signed-in key's name and scope; every
value is escaped by the templates (list data and party names come from outside).
"""
