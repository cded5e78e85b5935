"""Reference values for tests/unit/test_hotspots.py from PySAL (esda 2.9, libpysal 4.14), computed once.

Not part of the plugin or the test run (the plugin does not depend on PySAL). To recompute, in a throwaway
environment:

    python3 -m venv /tmp/esda && /tmp/esda/bin/pip install esda libpysal
    /tmp/esda/bin/python tests/reference/hotspots_reference.py

It prints the lattices' local Moran's I (esda.Moran_Local, row-standardised) and Gi* (esda.G_Local, star=True,
binary weights; divided here by the sign of the mean that esda multiplies it with) as Python literals.
"""

import numpy as np
from esda import G_Local, Moran_Local
from libpysal.weights import lat2W

LATTICES = {
    # name: (rows, columns, values row by row)
    "3x3": (3, 3, [8.0, 9.0, 7.0, 6.0, 5.0, 1.0, 4.0, 2.0, 3.0]),
    "4x5": (4, 5, [float((7 * i) % 11) + 0.5 * i for i in range(20)]),
}


def main():
    for name, (rows, columns, values) in LATTICES.items():
        y = np.array(values)
        for rook in (True, False):
            w = lat2W(rows, columns, rook=rook)
            local = Moran_Local(y, w, transformation="r", permutations=0)
            w_binary = lat2W(rows, columns, rook=rook)
            gi = G_Local(y, w_binary, transform="B", star=True, permutations=0)
            kind = "rook" if rook else "queen"
            print("ESDA_{}_{} = {{".format(name.replace("x", "X"), kind.upper()))
            print('    "lisa_i": {},'.format([float(v) for v in local.Is]))
            print('    "gi_z": {},'.format([float(v) for v in gi.Zs / np.sign(y.mean())]))
            print("}")


if __name__ == "__main__":
    main()
