"""The private PostgreSQL the cluster tests run on (pg_server.py): it runs on
loopback with the durability production needs, and each test gets a
database of its own."""
from conftest import needs_postgres

pytestmark = needs_postgres


def test_the_server_is_durable_and_on_loopback(postgres_server, postgres_url):
    database = postgres_url.rsplit("/", 1)[1]
    out = postgres_server.psql("SELECT current_setting('fsync') || ' ' || current_setting('synchronous_commit')"
                               " || ' ' || host(inet_server_addr())", database)
    assert out == "on on 127.0.0.1"


def test_each_test_gets_an_empty_database_that_survives_a_restart(postgres_server, postgres_url):
    database = postgres_url.rsplit("/", 1)[1]
    assert postgres_server.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database) == "0"
    postgres_server.psql("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('acknowledged')", database)
    postgres_server.stop()
    postgres_server.start_again()
    assert postgres_server.psql("SELECT v FROM kept", database) == "acknowledged"
