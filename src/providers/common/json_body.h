// Reading provider answers leniently: error bodies are JSON objects with a
// message under one of a few names ("message", "Message"), sometimes HTML or
// plain text from a proxy in front of the API.
#pragma once

#include <boost/json/object.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace postern::providers::common {

// The body as a JSON object; nullopt when it is not one.
std::optional<boost::json::object> parse_json_object(std::string_view body);

// The first of `keys` holding a string; "" when none does.
std::string string_member(const boost::json::object& object,
                          std::initializer_list<std::string_view> keys);

// An integer member (also a whole-number double); nullopt when absent.
std::optional<std::int64_t> int_member(const boost::json::object& object, std::string_view key);

// The error text of a body: a string member among `keys` when the body is a
// JSON object, else the body itself cut to a readable length.
std::string error_text(std::string_view body, std::initializer_list<std::string_view> keys);

}  // namespace postern::providers::common
