"""A throwaway PostgreSQL/PostGIS server for the tests: a cluster in a temporary folder on a free local port.

Debian's packages (``postgresql``, ``postgresql-postgis``; ``make setup`` installs them) bring the programs. The
cluster trusts local connections (no password anywhere), runs as the ``postgres`` user when the tests run as root
(PostgreSQL refuses root) and is stopped and removed when the test session ends.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile


class PostGIS:
    """``start()`` a cluster with a database ``stadt`` and the postgis extension; ``uri(table, schema)``."""

    def __init__(self):
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                          key=lambda path: int(path.split("/")[-3]))
        assert versions, "PostgreSQL is missing: run make setup (Debian packages postgresql, postgresql-postgis)"
        self.bindir = os.path.dirname(versions[-1])
        self.base = tempfile.mkdtemp(prefix="sozialraum-pg-")
        self.data = os.path.join(self.base, "data")
        self.run_as = []
        if os.geteuid() == 0:
            os.chmod(self.base, 0o755)
            shutil.chown(self.base, "postgres", "postgres")
            self.run_as = ["runuser", "-u", "postgres", "--"]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]

    def _run(self, *command, as_server=False):
        return subprocess.run((self.run_as if as_server else []) + [os.path.join(self.bindir, command[0])]
                              + list(command[1:]), check=True, capture_output=True, text=True)

    def start(self):
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "sozialraum", "-E", "UTF8", "--locale=C.UTF-8",
                  as_server=True)
        self._run("pg_ctl", "-D", self.data, "-w", "-l", os.path.join(self.base, "server.log"), "-o",
                  "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off".format(self.port, self.base), "start",
                  as_server=True)
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "sozialraum", "stadt")
        self.sql("CREATE EXTENSION postgis")
        return self

    def sql(self, statement):
        """Rows of ``statement`` (psql, tab-separated)."""
        out = self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "sozialraum", "-d", "stadt", "-At",
                        "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", statement).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def connection(self):
        return "dbname='stadt' host=127.0.0.1 port={} user='sozialraum' sslmode=disable".format(self.port)

    def uri(self, schema, table, geometry="geom", key=None):
        """The QGIS data source of ``schema.table`` (as a layer source; prefix ``postgis:`` for an output)."""
        return '{} {}table="{}"."{}" ({})'.format(self.connection(), "key='{}' ".format(key) if key else "",
                                                  schema, table, geometry)

    def stop(self):
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop", as_server=True)
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
