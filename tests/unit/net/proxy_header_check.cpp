// proxy_parse_problem: see proxy_header_check.h.
#include "proxy_header_check.h"

#include <arpa/inet.h>

#include <array>

#include "net/proxy_header.h"

namespace postern::net::test {
namespace {

using Status = ProxyParse::Status;

bool valid_address(const std::string& address) {
  std::array<unsigned char, 16> bytes{};
  return inet_pton(AF_INET, address.c_str(), bytes.data()) == 1 ||
         inet_pton(AF_INET6, address.c_str(), bytes.data()) == 1;
}

std::optional<std::string> header_problem(const ProxyParse& p, std::size_t input_size) {
  if (p.status == Status::need_more && p.wanted == 0) return "need_more with nothing wanted";
  if (p.status == Status::invalid && p.problem.empty()) return "invalid without a problem";
  if (p.status != Status::complete) return std::nullopt;
  const auto& h = p.header;
  if (p.length > input_size) return "a header longer than the input";
  if (h.version == 1 && p.length > kProxyV1MaxLength) return "a v1 header over 107 bytes";
  if (h.version == 2 && p.length < kProxyV2FixedLength) return "a v2 header under 16 bytes";
  if (h.version != 1 && h.version != 2) return "no version";
  if (h.local == h.source.has_value()) return "local and a source, or neither";
  if (h.source.has_value() != h.destination.has_value()) return "a source without destination";
  if (h.source && (!valid_address(h.source->address) || !valid_address(h.destination->address)))
    return "an address that is not one";
  if (h.source && h.source->address.starts_with("::ffff:") &&
      h.source->address.find('.') != std::string::npos)
    return "an IPv4-mapped address not turned to IPv4";
  return std::nullopt;
}

std::string describe(const ProxyParse& p) {
  std::string out = p.status == Status::complete  ? "complete"
                    : p.status == Status::invalid ? "invalid"
                                                  : "need_more";
  if (p.status != Status::complete) return out;
  out += " length " + std::to_string(p.length) + " v" + std::to_string(p.header.version);
  if (p.header.local) return out + " local";
  return out + " " + p.header.source->address + ":" + std::to_string(p.header.source->port) +
         " -> " + p.header.destination->address + ":" + std::to_string(p.header.destination->port);
}

}  // namespace

std::optional<std::string> proxy_parse_problem(std::string_view input) {
  auto at_once = parse_proxy_header(input);
  if (auto problem = header_problem(at_once, input.size())) return "at once: " + *problem;
  // The driver: reads what is wanted, never more.
  std::size_t read = 0;
  ProxyParse stepwise;
  for (;;) {
    stepwise = parse_proxy_header(input.substr(0, read));
    if (auto problem = header_problem(stepwise, read)) return "stepwise: " + *problem;
    if (stepwise.status != Status::need_more || read == input.size()) break;
    read += std::min(stepwise.wanted, input.size() - read);
  }
  if (stepwise.status == Status::complete && stepwise.length != read)
    return "the driver read past the header (" + std::to_string(read) + " for " +
           std::to_string(stepwise.length) + ")";
  if (describe(at_once) != describe(stepwise))
    return "at once " + describe(at_once) + ", stepwise " + describe(stepwise);
  return std::nullopt;
}

}  // namespace postern::net::test
