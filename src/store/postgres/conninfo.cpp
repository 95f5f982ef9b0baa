#include "store/postgres/conninfo.h"

#include <libpq-fe.h>

#include <memory>
#include <string_view>

namespace postern::store::postgres {
namespace {

using Options = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

struct Parsed {
  Options options{nullptr, &PQconninfoFree};
  std::string problem;
};

Parsed parse(const std::string& conninfo) {
  char* message = nullptr;
  Parsed p;
  p.options.reset(PQconninfoParse(conninfo.c_str(), &message));
  if (message) {
    p.problem = message;
    PQfreemem(message);
    while (!p.problem.empty() && (p.problem.back() == '\n' || p.problem.back() == ' '))
      p.problem.pop_back();
  }
  if (!p.options && p.problem.empty()) p.problem = "out of memory";
  return p;
}

bool secret(std::string_view keyword) { return keyword == "password" || keyword == "sslpassword"; }

// libpq's quoting: a value with spaces, quotes or backslashes, or an empty
// one, goes in single quotes with ' and \ escaped.
std::string quoted(std::string_view value) {
  if (!value.empty() && value.find_first_of(" '\\") == std::string_view::npos)
    return std::string(value);
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::optional<std::string> conninfo_problem(const std::string& conninfo) {
  auto p = parse(conninfo);
  if (p.options) return std::nullopt;
  return p.problem;
}

std::string conninfo_without_password(const std::string& conninfo) {
  auto p = parse(conninfo);
  if (!p.options) return "(an invalid connection string)";
  std::string out;
  for (auto* o = p.options.get(); o->keyword; ++o) {
    if (!o->val || secret(o->keyword)) continue;
    if (!out.empty()) out += ' ';
    out += std::string(o->keyword) + "=" + quoted(o->val);
  }
  return out;
}

}  // namespace postern::store::postgres
