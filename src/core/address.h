// Email addresses: validation of addr-spec (RFC 5321 §4.1.2 Mailbox with the
// UTF-8 extension of RFC 6531) and parsing of "Display Name <addr>" forms
// (RFC 5322 §3.4) as applications write them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace postern {

struct Mailbox {
  std::string name;     // display name, UTF-8, may be empty
  std::string address;  // local@domain, validated
  bool operator==(const Mailbox&) const = default;
};

// Why an address was refused, phrased for an API error message.
struct AddressError {
  std::string reason;
};

// Validates a bare addr-spec (no display name, no angle brackets).
// Returns an empty optional-like error on success.
Result<void, AddressError> validate_address(std::string_view address);

// True when the address needs SMTPUTF8 (non-ASCII local part or domain).
bool address_is_utf8(std::string_view address);

// Parses one mailbox: "addr@dom", "<addr@dom>", "Name <addr@dom>" or
// "\"Quoted, Name\" <addr@dom>".
Result<Mailbox, AddressError> parse_mailbox(std::string_view text);

// Parses a comma-separated list of mailboxes; commas inside quotes or angle
// brackets do not split. Empty elements are refused.
Result<std::vector<Mailbox>, AddressError> parse_mailbox_list(std::string_view text);

// "Name <addr>" (name quoted when it needs to be) or just "addr".
std::string format_mailbox(const Mailbox& mailbox);

// Lower-cases the domain part only: local parts are case-sensitive in
// principle (RFC 5321 §2.4), domains never are.
std::string normalize_address(std::string_view address);

}  // namespace postern
