#include "store/postgres/row_arrays.h"

#include <boost/endian/conversion.hpp>
#include <charconv>
#include <cstdint>

namespace postern::store::postgres {
namespace {

// The element types' OIDs (pg_type), which array_recv checks against the
// type the statement casts its parameter to.
std::uint32_t oid_of(RowStatement::Type t) {
  switch (t) {
    case RowStatement::Type::int8:
      return 20;
    case RowStatement::Type::text:
      return 25;
    case RowStatement::Type::bytea:
      return 17;
  }
  return 0;
}

// Big-endian, as the binary formats of the wire protocol are.
void put32(std::string& out, std::uint32_t v) {
  unsigned char b[4];
  boost::endian::store_big_u32(b, v);
  out.append(reinterpret_cast<const char*>(b), sizeof b);
}

void put64(std::string& out, std::uint64_t v) {
  unsigned char b[8];
  boost::endian::store_big_u64(b, v);
  out.append(reinterpret_cast<const char*>(b), sizeof b);
}

// One column as array_send writes it: dimensions, a null flag, the element
// type, the one dimension's length and lower bound, then each element as
// its length (-1 for null) and its binary value.
std::string encode_column(RowStatement::Type type, std::size_t column,
                          const std::vector<Params>& rows) {
  bool any_null = false;
  std::size_t bytes = 20;
  for (const auto& row : rows) {
    const auto& v = row.values().at(column);
    any_null = any_null || !v;
    bytes += 4 + (v ? v->size() : 0);
  }
  std::string out;
  out.reserve(bytes + 8 * rows.size());
  put32(out, 1);
  put32(out, any_null ? 1 : 0);
  put32(out, oid_of(type));
  put32(out, static_cast<std::uint32_t>(rows.size()));
  put32(out, 1);
  for (const auto& row : rows) {
    const auto& v = row.values()[column];
    if (!v) {
      put32(out, 0xffffffffu);
    } else if (type == RowStatement::Type::int8) {
      // Params::integer keeps a decimal text, as libpq's text format wants.
      std::int64_t n = 0;
      std::from_chars(v->data(), v->data() + v->size(), n);
      put32(out, 8);
      put64(out, static_cast<std::uint64_t>(n));
    } else {
      put32(out, static_cast<std::uint32_t>(v->size()));
      out += *v;
    }
  }
  return out;
}

}  // namespace

Params column_arrays(const RowStatement& statement, const std::vector<Params>& rows) {
  Params arrays;
  for (std::size_t c = 0; c < statement.columns.size(); ++c)
    arrays.bytes(encode_column(statement.columns[c], c, rows));
  return arrays;
}

}  // namespace postern::store::postgres
