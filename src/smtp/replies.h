// Every SMTP reply the server sends: basic code (RFC 5321 §4.2) and enhanced
// status (RFC 3463, ENHANCEDSTATUSCODES per RFC 2034) in one table, so a code
// is chosen in exactly one place. The session FSM names replies by ReplyId.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace postern::smtp {

enum class ReplyId {
  greeting,
  ehlo,  // multi-line; RFC 2034 §3: no enhanced code on greeting, HELO and EHLO
  helo,
  ok,
  sender_ok,
  recipient_ok,
  data_start,
  queued,
  chunk_received,
  vrfy,
  help,
  quit,
  tls_ready,
  auth_challenge,
  auth_ok,
  // 4xx
  too_many_recipients,
  rate_limited,  // the user's messages per minute (auth/abuse_limits.h)
  storage_full,
  store_unavailable,
  tls_unavailable,
  auth_temporary,
  shutting_down,
  too_many_connections,
  too_many_errors,
  too_many_commands,
  idle_timeout,
  session_timeout,
  // 5xx
  command_unrecognized,
  line_too_long,
  bare_newline_in_command,
  syntax_error,
  bad_sender_syntax,
  bad_recipient_syntax,
  bad_sequence,
  parameter_unsupported,
  utf8_needs_smtputf8,
  message_too_big,
  no_valid_recipients,
  bare_newline_in_data,
  data_line_too_long,
  header_unparseable,
  auth_required,
  auth_encryption_required,
  auth_mechanism_unsupported,
  auth_invalid,
  auth_cancelled,
  auth_bad_encoding,
  not_authorized,
  mailbox_full,
  relay_denied,      // an MX listener: a recipient outside its domain
  unknown_mailbox,   // an MX listener: no test account at this address
  auth_not_offered,  // an MX listener takes no AUTH
  count_
};

struct ReplySpec {
  int code;
  std::string_view enhanced;  // empty where RFC 2034 or RFC 4954 (334) omit it
  std::string_view text;      // default text; the FSM may give a more precise one
};

// Indexed by ReplyId; a static_assert below keeps it complete.
inline constexpr std::array<ReplySpec, static_cast<std::size_t>(ReplyId::count_)> kReplies{{
    {220, "", "ESMTP Postern"},
    {250, "", ""},
    {250, "", ""},
    {250, "2.0.0", "Ok"},
    {250, "2.1.0", "Sender ok"},
    {250, "2.1.5", "Recipient ok"},
    {354, "", "End data with <CR><LF>.<CR><LF>"},
    {250, "2.0.0", "Ok: queued"},
    {250, "2.0.0", "Chunk received"},
    {252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery"},
    {214, "2.0.0", "See RFC 5321 and RFC 6409"},
    {221, "2.0.0", "Bye"},
    {220, "2.0.0", "Ready to start TLS"},
    {334, "", ""},
    {235, "2.7.0", "Authentication successful"},
    {452, "4.5.3", "Too many recipients"},
    // As Postfix answers its client rate limits: temporary, and X.7.1
    // (RFC 3463: refused by policy), at MAIL so no content is sent for
    // nothing.
    {450, "4.7.1", "Too much mail from this user; try again later"},
    {452, "4.3.1", "Insufficient system storage"},
    {451, "4.3.0", "Temporary failure, try again later"},
    {454, "4.7.0", "TLS not available"},
    {454, "4.7.0", "Temporary authentication failure"},
    {421, "4.3.2", "Service shutting down, closing connection"},
    {421, "4.7.0", "Too many connections, try again later"},
    {421, "4.7.0", "Too many errors, closing connection"},
    {421, "4.7.0", "Too many commands without a message, closing connection"},
    {421, "4.4.2", "Idle timeout, closing connection"},
    {421, "4.4.2", "Session time limit exceeded, closing connection"},
    {500, "5.5.1", "Command unrecognized"},
    {500, "5.5.2", "Line too long"},
    {500, "5.5.2", "Bare <CR> or <LF> in command; lines end with <CR><LF>"},
    {501, "5.5.4", "Syntax error in parameters"},
    {501, "5.1.7", "Bad sender address syntax"},
    {501, "5.1.3", "Bad recipient address syntax"},
    {503, "5.5.1", "Bad sequence of commands"},
    {555, "5.5.4", "Parameter not recognized or not implemented"},
    {553, "5.6.7", "Non-ASCII address requires the SMTPUTF8 parameter"},
    {552, "5.3.4", "Message size exceeds fixed limit"},
    {554, "5.5.1", "No valid recipients"},
    {554, "5.6.11", "Bare <CR> or <LF> in message data; message refused"},
    {554, "5.6.0", "Message line longer than 998 octets; message refused"},
    {554, "5.6.0", "Message header cannot be parsed"},
    {530, "5.7.0", "Authentication required"},
    {538, "5.7.11", "Encryption required for requested authentication mechanism"},
    {504, "5.5.4", "Unrecognized authentication type"},
    {535, "5.7.8", "Authentication credentials invalid"},
    {501, "5.7.0", "Authentication cancelled"},
    {501, "5.5.2", "Cannot decode response"},
    {550, "5.7.1", "Not authorized to send mail"},
    {552, "5.2.2", "Mailbox full: the test account is over its quota"},
    {550, "5.7.1", "Relaying denied: this server takes mail only for its own domain"},
    {550, "5.1.1", "No such mailbox: no test account has this address"},
    {502, "5.5.1", "AUTH not available: this listener only takes mail for its own domain"},
}};

constexpr const ReplySpec& reply_spec(ReplyId id) { return kReplies[static_cast<std::size_t>(id)]; }

static_assert(reply_spec(ReplyId::not_authorized).code == 550, "kReplies must follow ReplyId");
static_assert(reply_spec(ReplyId::greeting).code == 220, "kReplies must follow ReplyId");
static_assert(reply_spec(ReplyId::auth_not_offered).code == 502, "kReplies must follow ReplyId");

// "code SP [enhanced SP] text CRLF"; `text` replaces the default when given.
// Text must not contain CR or LF (callers pass their own strings only).
std::string format_reply(ReplyId id, std::string_view text = {});

// A multi-line reply (RFC 5321 §4.2.1): "code-line" ... "code SP last".
// `lines` must not be empty. Enhanced codes are added as for format_reply.
std::string format_multiline(ReplyId id, const std::vector<std::string>& lines);

}  // namespace postern::smtp
