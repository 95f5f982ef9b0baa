// The text forms the simulator's settings share (fault settings and webhook
// settings): booleans, rates, durations, "key=value,..." lists as the
// command line takes them and JSON values as the control API takes them.
#pragma once

#include <boost/json/fwd.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace postern::sim {

// "", "1", "true", "yes", "on" or "0", "false", "no", "off".
Result<bool, Problem> parse_bool(std::string_view key, std::string_view v);
// A number from 0 to 1.
Result<double, Problem> parse_rate(std::string_view key, std::string_view v);
// A duration as parse_duration reads it; with bare_is_ms, "20" is 20 ms.
Result<std::chrono::milliseconds, Problem> parse_ms(std::string_view text, bool bare_is_ms);
// "2s" when whole seconds, else "20ms".
std::string format_ms(std::chrono::milliseconds d);

using SettingFn =
    std::function<Result<void, Problem>(std::string_view key, std::string_view value)>;

// Calls `apply` for each item of "key=value,key,..." (a key alone has the
// value "").
Result<void, Problem> for_each_setting(std::string_view list, const SettingFn& apply);

// A JSON scalar as the text its setting takes: booleans "true"/"false",
// numbers in their shortest form, strings as they are; nullopt otherwise.
std::optional<std::string> json_scalar_text(const boost::json::value& v);

}  // namespace postern::sim
