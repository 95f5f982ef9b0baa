// A listener's PROXY protocol settings (docs/operations.md "Behind
// HAProxy"): each server's section has its own (smtp, imap, pop3, http),
// read by read_proxy_protocol() (net/net_config.h).
#pragma once

#include <string>
#include <vector>

namespace postern::net {

struct ProxyProtocolOptions {
  // proxy_protocol: every connection starts with a PROXY header (v1 or
  // v2), whose client address replaces the socket's peer; a connection
  // without a valid one is closed.
  bool enabled = false;
  // proxy_from: CIDR blocks (or addresses) that may send the header; a
  // connection from elsewhere is closed before a byte is read. Empty: any
  // (the listener must then be reachable only by the proxies).
  std::vector<std::string> from;
};

}  // namespace postern::net
