// Errors carried as values across module borders: Result<T> holds a value or
// an error_code from one of the project's categories (Errc below for the
// conditions every module shares).
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace postern {

using boost::system::error_code;

template <class T, class E = error_code>
using Result = boost::system::result<T, E>;

// Conditions shared across modules. Module-specific detail goes in the
// message that accompanies the code, never in new global state.
enum class Errc {
  ok = 0,
  not_found,
  conflict,  // the request contradicts stored state (e.g. idempotency key reuse)
  invalid_argument,
  storage_full,         // disk or quota full: refuse new mail, keep what is stored
  storage_unavailable,  // the store cannot be reached or failed to commit
  shutting_down,
  overloaded,  // back-pressure: try again later
  corrupt,     // a stored record cannot be decoded
  internal,
};

const boost::system::error_category& postern_category() noexcept;

inline error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), postern_category()};
}

// A refusal explained in words, for results whose error is meant for a
// person (a configuration value, a command-line argument).
struct Problem {
  std::string message;
};

// Result<T, E>::value() on an error throws; Boost finds this by argument-
// dependent lookup for the project's own error types (Problem, FieldError,
// ConfigError, ...). Only tests and start-up code call value() on those.
template <class E>
[[noreturn]] void throw_exception_from_error(const E&, const boost::source_location&) {
  throw std::runtime_error("postern: value() called on a result that holds an error");
}

}  // namespace postern

namespace boost::system {
template <>
struct is_error_code_enum<postern::Errc> : std::true_type {};
}  // namespace boost::system
