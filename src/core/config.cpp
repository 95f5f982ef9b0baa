#include "core/config.h"

#include <toml++/toml.h>

#include <map>
#include <set>
#include <sstream>

#include "core/ascii.h"
#include "core/decimal.h"

namespace postern {

struct ConfigFile::State {
  toml::table root;
  Environment env;
  // "section.key" -> (variable name, its text), from POSTERN_<SECTION>_<KEY>.
  std::map<std::string, std::pair<std::string, std::string>> overrides;
  std::set<std::string, std::less<>> sections;               // asked for by a reader
  std::set<std::string, std::less<>> keys;                   // "section.key" asked for by a reader
  std::set<std::string, std::less<>> tables;                 // [[name]] asked for by a reader
  std::map<std::string, std::string, std::less<>> reserved;  // section -> why
  std::optional<ConfigError> error;

  void fail(ConfigError e) {
    if (!error) error = std::move(e);
  }
};

namespace {

// Each value kind once: from a TOML node of the file and from the text of
// an environment variable. Errors say what was expected.
template <class T>
struct ValueKind {
  Result<T, Problem> (*from_node)(const toml::node&);
  Result<T, Problem> (*from_text)(std::string_view);
};

Problem expected(std::string_view what) { return Problem{"expected " + std::string(what)}; }

template <class T>
Result<T, Problem> value(T v) {
  return Result<T, Problem>(boost::system::in_place_value, std::move(v));
}

const ValueKind<std::string> kText{[](const toml::node& n) -> Result<std::string, Problem> {
                                     if (auto s = n.as_string()) return value(s->get());
                                     return expected("a string");
                                   },
                                   [](std::string_view t) { return value(std::string(t)); }};

const ValueKind<bool> kFlag{[](const toml::node& n) -> Result<bool, Problem> {
                              if (auto b = n.as_boolean()) return b->get();
                              return expected("true or false");
                            },
                            [](std::string_view t) -> Result<bool, Problem> {
                              if (t == "true" || t == "1" || t == "yes") return true;
                              if (t == "false" || t == "0" || t == "no") return false;
                              return expected("true or false");
                            }};

const ValueKind<std::uint64_t> kCount{[](const toml::node& n) -> Result<std::uint64_t, Problem> {
                                        if (auto i = n.as_integer(); i && i->get() >= 0)
                                          return static_cast<std::uint64_t>(i->get());
                                        return expected("a non-negative integer");
                                      },
                                      [](std::string_view t) -> Result<std::uint64_t, Problem> {
                                        if (auto v = parse_decimal<std::uint64_t>(t)) return *v;
                                        return expected("a non-negative integer");
                                      }};

const ValueKind<std::size_t> kBytes{[](const toml::node& n) -> Result<std::size_t, Problem> {
                                      if (auto i = n.as_integer(); i && i->get() >= 0)
                                        return static_cast<std::size_t>(i->get());
                                      if (auto s = n.as_string()) return parse_size(s->get());
                                      return expected("a size such as \"25MiB\"");
                                    },
                                    [](std::string_view t) { return parse_size(t); }};

const ValueKind<std::chrono::milliseconds> kDuration{
    [](const toml::node& n) -> Result<std::chrono::milliseconds, Problem> {
      if (auto i = n.as_integer(); i && i->get() >= 0) return std::chrono::seconds(i->get());
      if (auto s = n.as_string()) return parse_duration(s->get());
      return expected("a duration such as \"30s\"");
    },
    [](std::string_view t) { return parse_duration(t); }};

const ValueKind<double> kNumber{[](const toml::node& n) -> Result<double, Problem> {
                                  if (auto f = n.as_floating_point(); f && f->get() >= 0)
                                    return f->get();
                                  if (auto i = n.as_integer(); i && i->get() >= 0)
                                    return static_cast<double>(i->get());
                                  return expected("a number");
                                },
                                [](std::string_view t) -> Result<double, Problem> {
                                  if (auto v = parse_non_negative(t)) return *v;
                                  return expected("a number");
                                }};

const ValueKind<std::vector<std::string>> kList{
    [](const toml::node& n) -> Result<std::vector<std::string>, Problem> {
      auto arr = n.as_array();
      if (!arr) return expected("a list of strings");
      std::vector<std::string> out;
      for (const auto& item : *arr) {
        auto s = item.as_string();
        if (!s) return expected("a list of strings");
        out.push_back(s->get());
      }
      return value(std::move(out));
    },
    [](std::string_view t) {
      std::vector<std::string> out;
      std::stringstream ss{std::string(t)};
      std::string item;
      while (std::getline(ss, item, ',')) {
        auto b = item.find_first_not_of(' ');
        auto e = item.find_last_not_of(' ');
        if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
      }
      return value(std::move(out));
    }};

const toml::node* file_value(const ConfigFile::State& s, std::string_view section,
                             std::string_view key) {
  auto table = s.root[section].as_table();
  return table ? table->get(key) : nullptr;
}

// The file's value, then the environment's over it; nullopt when neither
// gives a usable one.
template <class T>
std::optional<T> read(ConfigFile::State& s, std::string_view section, std::string_view key,
                      const ValueKind<T>& kind) {
  std::string path = std::string(section) + "." + std::string(key);
  s.keys.insert(path);
  std::optional<T> out;
  if (auto node = file_value(s, section, key)) {
    auto v = kind.from_node(*node);
    if (v)
      out = std::move(*v);
    else
      s.fail({path, v.error().message});
  }
  if (auto it = s.overrides.find(path); it != s.overrides.end()) {
    auto v = kind.from_text(it->second.second);
    if (v)
      out = std::move(*v);
    else
      s.fail({it->second.first, v.error().message});
  }
  return out;
}

bool valid_listen(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  return parse_decimal<std::uint16_t>(s.substr(colon + 1)).has_value();
}

}  // namespace

ConfigFile::ConfigFile(std::unique_ptr<State> state) : state_(std::move(state)) {}
ConfigFile::~ConfigFile() = default;
ConfigFile::ConfigFile(ConfigFile&&) noexcept = default;
ConfigFile& ConfigFile::operator=(ConfigFile&&) noexcept = default;

Result<ConfigFile, ConfigError> ConfigFile::parse(std::string_view toml_text, Environment env) {
  auto state = std::make_unique<State>();
  try {
    state->root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << "line " << e.source().begin.line << ", column " << e.source().begin.column;
    return ConfigError{"", "invalid TOML at " + where.str() + ": " + std::string(e.description())};
  }
  for (const auto& [name, text] : env) {
    if (!name.starts_with("POSTERN_")) continue;
    std::string rest = ascii_lowered(std::string_view(name).substr(8));
    auto us = rest.find('_');
    if (us == std::string::npos) continue;
    state->overrides[rest.substr(0, us) + "." + rest.substr(us + 1)] = {name, text};
  }
  state->env = std::move(env);
  return ConfigFile(std::move(state));
}

ConfigSection ConfigFile::section(std::string_view name) {
  state_->sections.emplace(name);
  if (auto node = state_->root.get(name); node && !node->is_table())
    fail({std::string(name), "must be a table"});
  return ConfigSection(*state_, std::string(name));
}

std::vector<ConfigTable> ConfigFile::tables(std::string_view name) {
  state_->tables.emplace(name);
  std::vector<ConfigTable> out;
  auto node = state_->root.get(name);
  if (!node) return out;
  auto array = node->as_array();
  if (!array) {
    fail({std::string(name), "must be an array of tables ([[" + std::string(name) + "]])"});
    return out;
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    ConfigTable table{std::string(name) + "[" + std::to_string(i) + "]", {}};
    auto entries = (*array)[i].as_table();
    if (!entries) {
      fail({table.path, "must be a table"});
      return out;
    }
    for (const auto& [k, v] : *entries) {
      ConfigTable::Entry entry{std::string(k.str()), {}, false};
      if (auto s = v.as_string()) {
        entry.text = s->get();
        entry.is_string = true;
      } else if (auto n = v.as_integer()) {
        entry.text = std::to_string(n->get());
      } else if (auto b = v.as_boolean()) {
        entry.text = b->get() ? "true" : "false";
      } else if (auto f = v.as_floating_point()) {
        entry.text = std::to_string(f->get());
      } else {
        fail({table.path + "." + entry.key, "expected a string, number or boolean"});
        return out;
      }
      table.entries.push_back(std::move(entry));
    }
    out.push_back(std::move(table));
  }
  return out;
}

void ConfigFile::reserve_section(std::string_view name, std::string why) {
  state_->reserved[std::string(name)] = std::move(why);
}

const Environment& ConfigFile::environment() const { return state_->env; }

void ConfigFile::fail(ConfigError error) { state_->fail(std::move(error)); }

std::optional<ConfigError> ConfigFile::first_error() const { return state_->error; }

Result<void, ConfigError> ConfigFile::finish() const {
  const auto& s = *state_;
  if (s.error) return *s.error;
  for (const auto& [k, node] : s.root) {
    std::string name(k.str());
    if (s.tables.contains(name)) continue;
    if (auto r = s.reserved.find(name); r != s.reserved.end()) {
      auto table = node.as_table();
      bool has_key = table && !table->empty();
      return ConfigError{has_key ? name + "." + std::string(table->begin()->first.str()) : name,
                         r->second};
    }
    if (!s.sections.contains(name)) return ConfigError{name, "unknown section"};
    for (const auto& [key, value] : *node.as_table()) {
      std::string path = name + "." + std::string(key.str());
      if (!s.keys.contains(path)) return ConfigError{path, "unknown key"};
    }
  }
  for (const auto& [path, variable] : s.overrides) {
    std::string section = path.substr(0, path.find('.'));
    if (auto r = s.reserved.find(section); r != s.reserved.end())
      return ConfigError{variable.first, r->second};
    if (s.sections.contains(section) && !s.keys.contains(path))
      return ConfigError{variable.first, "unknown key " + path};
  }
  return {};
}

ConfigSection& ConfigSection::text(std::string_view key, std::string& out) {
  if (auto v = read(state_, name_, key, kText)) out = std::move(*v);
  return *this;
}

ConfigSection& ConfigSection::flag(std::string_view key, bool& out) {
  if (auto v = read(state_, name_, key, kFlag)) out = *v;
  return *this;
}

std::optional<std::uint64_t> ConfigSection::count_value(std::string_view key, std::uint64_t max) {
  auto v = read(state_, name_, key, kCount);
  if (v && *v > max) {
    state_.fail({path(key), "expected an integer from 0 to " + std::to_string(max)});
    return std::nullopt;
  }
  return v;
}

ConfigSection& ConfigSection::bytes(std::string_view key, std::size_t& out) {
  if (auto v = read(state_, name_, key, kBytes)) out = *v;
  return *this;
}

std::optional<std::chrono::milliseconds> ConfigSection::duration_value(std::string_view key) {
  return read(state_, name_, key, kDuration);
}

ConfigSection& ConfigSection::number(std::string_view key, double& out) {
  if (auto v = read(state_, name_, key, kNumber)) out = *v;
  return *this;
}

ConfigSection& ConfigSection::list(std::string_view key, std::vector<std::string>& out) {
  if (auto v = read(state_, name_, key, kList)) out = std::move(*v);
  return *this;
}

ConfigSection& ConfigSection::listen(std::string_view key, std::string& out) {
  text(key, out);
  return check(out.empty() || valid_listen(out), key,
               "expected host:port such as 127.0.0.1:8025, got '" + out + "'");
}

ConfigSection& ConfigSection::reserved(std::string_view key, std::string_view why) {
  std::string p = path(key);
  state_.keys.insert(p);
  if (file_value(state_, name_, key)) state_.fail({p, std::string(why)});
  if (auto it = state_.overrides.find(p); it != state_.overrides.end())
    state_.fail({it->second.first, std::string(why)});
  return *this;
}

ConfigSection& ConfigSection::check(bool holds, std::string_view key, std::string message) {
  if (!holds) state_.fail({path(key), std::move(message)});
  return *this;
}

std::string ConfigSection::path(std::string_view key) const {
  return name_ + "." + std::string(key);
}

}  // namespace postern
