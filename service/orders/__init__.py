"""Order screening: every party of an order plus its destination and items against the policy in lists/policy.

policy.py loads the policy data, classify.py recognises end users, places and products in
text, rules.py decides; all three are pure apart from reading the files. schemas.py is the
API edge.
"""
