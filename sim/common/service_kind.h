// The five services postern-sim can stand in for, named as on the command
// line, in the control API and in the --record file.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace postern::sim {

enum class Service { mailgun, sendgrid, ses, postmark, smtp };

inline constexpr std::size_t kServiceCount = 5;
inline constexpr std::array<Service, kServiceCount> kAllServices = {
    Service::mailgun, Service::sendgrid, Service::ses, Service::postmark, Service::smtp};

constexpr std::string_view service_name(Service s) {
  constexpr std::array<std::string_view, kServiceCount> kNames = {"mailgun", "sendgrid", "ses",
                                                                  "postmark", "smtp"};
  return kNames[static_cast<std::size_t>(s)];
}

constexpr std::size_t service_index(Service s) { return static_cast<std::size_t>(s); }

// nullopt for a name that is none of the five.
inline std::optional<Service> parse_service(std::string_view name) {
  for (auto s : kAllServices) {
    if (service_name(s) == name) return s;
  }
  return std::nullopt;
}

}  // namespace postern::sim
