"""Demo content: the real 2021-2027 programmes, two demo partnerships, and synthetic data for scale tests.

``load_demo()`` (used by ``manage.py load_demo``) and ``seed_scale()`` (``manage.py seed_scale``) live in
:mod:`.loader` and :mod:`.synthetic`; the data files sit beside the code.
"""
