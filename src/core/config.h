// The configuration file as its readers see it: one TOML file, every key of
// a section overridable from the environment as POSTERN_<SECTION>_<KEY>
// (the environment wins). Core knows no module's settings: each module
// reads its own section into its own options struct, whose member
// initialisers are the defaults (docs/architecture.md, Configuration), and
// the composition root (app/config.h) asks each module in turn. Whatever no
// module read is refused, naming the key, so a typo never passes for a
// setting.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config_values.h"
#include "core/error.h"

namespace postern {

// The error of a configuration that cannot be used: which key and why.
struct ConfigError {
  std::string key;
  std::string message;
  std::string to_string() const { return key.empty() ? message : key + ": " + message; }
};

// One entry of an array of tables ([[providers]], [[routes]]), its values
// as text (numbers and booleans as TOML writes them).
struct ConfigTable {
  struct Entry {
    std::string key;
    std::string text;
    bool is_string = false;  // written as a TOML string (not a number or boolean)
  };
  std::string path;  // "providers[2]", for error messages
  std::vector<Entry> entries;
};

class ConfigSection;

// A parsed file and the environment. Not thread-safe; used at start and on
// reload by one thread.
class ConfigFile {
 public:
  // Parses TOML text. Errors: a syntax error, with its line and column.
  static Result<ConfigFile, ConfigError> parse(std::string_view toml_text, Environment env);
  ~ConfigFile();
  ConfigFile(ConfigFile&&) noexcept;
  ConfigFile& operator=(ConfigFile&&) noexcept;

  // The section [name] (which need not be in the file); reading it makes
  // it a known section.
  ConfigSection section(std::string_view name);
  // The array of tables [[name]], empty when absent. Records an error (and
  // returns what it read so far) when it is not an array of tables or an
  // entry's value is not a string, number or boolean.
  std::vector<ConfigTable> tables(std::string_view name);
  // A section kept for a feature that is not implemented yet: its presence
  // in the file, or any POSTERN_<NAME>_* variable, is refused with `why`.
  void reserve_section(std::string_view name, std::string why);

  const Environment& environment() const;

  struct State;  // the parsed file, the overrides and what was read (config.cpp)

  // Records a problem found by a reader; the first one recorded is the one
  // reported.
  void fail(ConfigError error);
  // The first error recorded so far, else `value`.
  template <class T>
  Result<T, ConfigError> result(T value) const {
    if (auto e = first_error()) return *e;
    return Result<T, ConfigError>(boost::system::in_place_value, std::move(value));
  }
  // After every reader ran: the first error recorded, else a section, key
  // or POSTERN_<SECTION>_<KEY> variable that no reader asked for.
  // Variables of sections nobody reads are left alone: scripts use
  // POSTERN_* names of their own.
  Result<void, ConfigError> finish() const;

 private:
  explicit ConfigFile(std::unique_ptr<State> state);
  std::optional<ConfigError> first_error() const;
  std::unique_ptr<State> state_;
};

// One [section]. Each reader takes `key` from the file, then from
// POSTERN_<SECTION>_<KEY>, and stores it in `out`; a key given nowhere
// leaves `out` as it is (its default). A value of the wrong kind is
// recorded as an error naming the key (the variable, for the environment).
class ConfigSection {
 public:
  ConfigSection& text(std::string_view key, std::string& out);
  ConfigSection& flag(std::string_view key, bool& out);
  // A whole number from 0 to T's largest.
  template <std::unsigned_integral T>
  ConfigSection& count(std::string_view key, T& out) {
    if (auto v = count_value(key, std::numeric_limits<T>::max())) out = static_cast<T>(*v);
    return *this;
  }
  // "25MiB", or a number of bytes.
  ConfigSection& bytes(std::string_view key, std::size_t& out);
  // "30s", "250ms", or a number of seconds; kept at out's precision.
  template <class Rep, class Period>
  ConfigSection& duration(std::string_view key, std::chrono::duration<Rep, Period>& out) {
    if (auto v = duration_value(key))
      out = std::chrono::duration_cast<std::decay_t<decltype(out)>>(*v);
    return *this;
  }
  // A number of 0 or more.
  ConfigSection& number(std::string_view key, double& out);
  // A TOML array of strings; from the environment, comma-separated.
  ConfigSection& list(std::string_view key, std::vector<std::string>& out);
  // "host:port" (port 0 picks a free one), or "" for none.
  ConfigSection& listen(std::string_view key, std::string& out);
  // A key kept for a feature that is not implemented yet: refused with
  // `why` whenever it is given.
  ConfigSection& reserved(std::string_view key, std::string_view why);
  // Records `message` against `key` unless `holds`: checks of one value, or
  // of values together.
  ConfigSection& check(bool holds, std::string_view key, std::string message);

  // "section.key", as errors name it.
  std::string path(std::string_view key) const;

 private:
  friend class ConfigFile;
  ConfigSection(ConfigFile::State& state, std::string name)
      : state_(state), name_(std::move(name)) {}
  std::optional<std::uint64_t> count_value(std::string_view key, std::uint64_t max);
  std::optional<std::chrono::milliseconds> duration_value(std::string_view key);

  ConfigFile::State& state_;
  std::string name_;
};

}  // namespace postern
