// The value kinds a configuration is written in, read from text: durations,
// sizes, shares and secrets kept out of the file. Shared by the config file
// reader, the providers' settings and the simulator's options.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace postern {

using Environment = std::map<std::string, std::string>;

// Reads the process environment (only the POSTERN_* variables and any that
// env: secrets might name are needed, but all are returned).
Environment process_environment();

// "30s", "5m", "2h", "1500ms", "1d" or a plain number of seconds.
Result<std::chrono::milliseconds, Problem> parse_duration(std::string_view text);
// "512", "64KiB", "25MiB", "1GiB" (also KB/MB/GB as powers of 1000).
Result<std::size_t, Problem> parse_size(std::string_view text);
// A whole text that is a number of 0 or more ("2.5"): rates and shares.
std::optional<double> parse_non_negative(std::string_view text);

// env:NAME (from `env`) and file:PATH (the file, trailing CR and LF
// dropped) keep secrets out of the configuration file; any other value is
// itself. Errors: the variable is not set, the file cannot be read.
Result<std::string, Problem> resolve_secret(const std::string& value, const Environment& env);

}  // namespace postern
