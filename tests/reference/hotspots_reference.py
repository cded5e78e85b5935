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


BERLIN = "../shared/data/berlin"


def berlin():
    """Berlin's planning areas (LOR until 2020) with the MSS 2019 indicator s4 (transfer payments, under 15) where
    at least 300 inhabitants: queen and rook contiguity by GEOS (libpysal Graph.build_contiguity, strict=True),
    local Moran's I and Gi* as above. Keys: '<PLR id>-<position in the GeoJSON>' (two polygons share an id)."""
    import geopandas
    import pandas
    from libpysal.graph import Graph

    areas = geopandas.read_file(BERLIN + "/lor_planungsraeume_bis2020.geojson")
    areas["key"] = [f"{plr}-{n}" for n, plr in enumerate(areas["id"])]
    mss = pandas.read_csv(BERLIN + "/mss2019_indikatoren_plr.csv", dtype={"id": str})
    mss = mss[mss["inhabitants"] >= 300]
    rated = areas.merge(mss[["id", "s4_percentage_transfer_payments_recipients_below_15_years"]], on="id")
    rated = rated.sort_values("key").reset_index(drop=True)
    y = rated["s4_percentage_transfer_payments_recipients_below_15_years"].to_numpy(dtype=float)
    for rook in (False, True):
        graph = Graph.build_contiguity(rated.geometry, rook=rook, strict=True)
        local = Moran_Local(y, graph.transform("r").to_W(), transformation="r", permutations=0)
        gi = G_Local(y, graph.transform("b").to_W(), transform="B", star=True, permutations=0)
        z = gi.Zs / np.sign(y.mean())
        kind = "ROOK" if rook else "QUEEN"
        print("BERLIN_{} = {{".format(kind))
        print('    "n": {}, "pairs": {}, "islands": {},'.format(len(y), int(graph.n_edges) // 2,
                                                                   sorted(rated["key"][graph.isolates].tolist())))
        print('    "lisa_sum": {!r}, "lisa_sum_squares": {!r},'.format(float(np.sum(local.Is)),
                                                                       float(np.sum(local.Is ** 2))))
        print('    "gi_sum": {!r}, "gi_sum_squares": {!r},'.format(float(np.nansum(z)), float(np.nansum(z ** 2))))
        print('    "some": {},'.format({rated["key"][i]: (float(local.Is[i]), float(z[i]))
                                        for i in range(0, len(y), 50)}))
        print("}")


if __name__ == "__main__":
    main()
    berlin()
