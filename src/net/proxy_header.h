// The PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1 and
// 2) that a load balancer sends first on a connection it relays, naming
// the client it accepted. Sans-io: the listener's driver
// (net/proxy_accept.h) reads bytes from the socket and asks this parser
// how many more it may read without going past the header, so that not
// one byte of the protocol behind it is taken.
//
// Hand-written: no Debian-packaged C or C++ library parses it, and the
// format is small and fully specified.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postern::net {

struct ProxyEndpoint {
  std::string address;  // textual IPv4 or IPv6 address
  std::uint16_t port = 0;
};

struct ProxyHeader {
  int version = 0;  // 1 or 2
  // The proxy's own connection (v2 LOCAL: a health check), or one whose
  // client the proxy could not name (v1 UNKNOWN, v2 UNSPEC or AF_UNIX):
  // the receiver uses the connection's own endpoints.
  bool local = false;
  std::optional<ProxyEndpoint> source;  // the client, when named (TCP over IPv4 or IPv6)
  std::optional<ProxyEndpoint> destination;
};

struct ProxyParse {
  enum class Status { need_more, complete, invalid };
  Status status = Status::need_more;
  // need_more: how many more bytes may be read without reading past the
  // header's end (at least 1).
  std::size_t wanted = 0;
  // complete: the header's length (the bytes after it are the protocol's).
  std::size_t length = 0;
  ProxyHeader header;   // complete
  std::string problem;  // invalid: why, for the log
};

// Parses the header at the start of `input`, the bytes received so far.
// Never reads past `input`; with more bytes than the header, only
// `length` of them are its own.
ProxyParse parse_proxy_header(std::string_view input);

// v1's longest line, CRLF included (proxy-protocol.txt 2.1).
inline constexpr std::size_t kProxyV1MaxLength = 107;
// v2's fixed part: signature, version and command, family, length.
inline constexpr std::size_t kProxyV2FixedLength = 16;

}  // namespace postern::net
