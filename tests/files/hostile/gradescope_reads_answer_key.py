"""Reads the answer key where Gradescope's zip installs it and uses it.

Trick: open <root>/source/lib/solutions/products.py (the hardened zip's
install_lib.sh puts the wheel there; the test replaces __AUTOGRADER_ROOT__
with its temporary root, and /autograder is Gradescope's), exec it and
answer q0 with the answer key's functions. In isolation mode "none" (a
container without namespaces) nothing hides the file but its permissions:
install_lib.sh makes source/ readable by root only, and the child runs
under a uid of its own. The test also runs it with the permissions opened
up, to prove the trick works when nothing stops it.
"""

ANSWER_KEYS = ("__AUTOGRADER_ROOT__/source/lib/solutions/products.py",
               "/autograder/source/lib/solutions/products.py")


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def _steal():
    for path in ANSWER_KEYS:
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError:
            continue
        stolen = {}
        exec(compile(text, path, "exec"), stolen)
        return stolen
    return {}


_key = _steal()
if _key:
    chain_product = _key["chain_product"]
    max_activation_derivative = _key["max_activation_derivative"]
