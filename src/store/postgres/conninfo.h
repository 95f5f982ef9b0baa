// store.url as libpq reads it: checked when the configuration is read, so
// that a typo stops the node at start rather than at its first connection,
// and shown without its password wherever the store is named (logs, the
// CLI's errors).
#pragma once

#include <optional>
#include <string>

namespace postern::store::postgres {

// What libpq finds wrong with a connection string (key/value or a
// postgresql:// URI): an unknown keyword, a bad URI, an unclosed quote.
// nullopt when it parses. Hosts are not resolved nor contacted here.
std::optional<std::string> conninfo_problem(const std::string& conninfo);

// The string's settings as key=value pairs, without the password (nor the
// SSL key's passphrase): "host=db1,db2 port=5432 dbname=postern user=postern".
// A string that does not parse is answered as "(an invalid connection string)".
std::string conninfo_without_password(const std::string& conninfo);

}  // namespace postern::store::postgres
