// A minimal SMTP server for relay-client tests: answers from a script of
// options (EHLO keywords, STARTTLS, AUTH, per-recipient replies, the final
// reply, hangs and drops) and records commands and message data.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace postern::providers::smtp::test {

struct SmtpPeerScript {
  std::string greeting = "220 relay.test ESMTP";
  // EHLO keywords after the first line; STARTTLS and AUTH are added from
  // the options below.
  std::vector<std::string> keywords = {"PIPELINING", "SIZE 10000000", "8BITMIME",
                                       "ENHANCEDSTATUSCODES"};
  bool ehlo_supported = true;
  // TLS: offer STARTTLS (until it is used), or speak TLS from the start.
  std::string cert_pem;
  std::string key_pem;
  bool offer_starttls = false;
  bool implicit_tls = false;
  std::vector<std::string>
      auth_mechanisms;  // e.g. {"PLAIN", "LOGIN"}; offered after TLS when TLS is on
  std::string auth_reply = "235 2.7.0 Authentication successful";
  std::string mail_reply = "250 2.1.0 Ok";
  // Reply to RCPT for an address; 250 when not set.
  std::function<std::string(const std::string& address)> rcpt_reply;
  // Recipients one transaction takes; past them RCPT gets `full_reply`. 0: no limit.
  std::size_t max_recipients = 0;
  std::string full_reply = "452 4.5.3 Error: too many recipients";
  std::string data_reply = "354 End data with <CR><LF>.<CR><LF>";
  std::string final_reply = "250 2.0.0 Ok: queued as ABC123";
  // When set, the reply after the final dot of the n-th message (from 0),
  // instead of final_reply.
  std::function<std::string(std::size_t n)> final_reply_for;
  bool hang_after_data = false;     // never answer the final dot
  bool drop_after_message = false;  // close the connection after the final reply
};

class ScriptedSmtpPeer {
 public:
  explicit ScriptedSmtpPeer(SmtpPeerScript script = {});
  ~ScriptedSmtpPeer();
  ScriptedSmtpPeer(const ScriptedSmtpPeer&) = delete;
  ScriptedSmtpPeer& operator=(const ScriptedSmtpPeer&) = delete;

  std::uint16_t port() const;
  // Every command line received, in order, prefixed "<connection>: ".
  std::vector<std::string> commands() const;
  // Commands alone (no connection prefix), for the common single-connection case.
  std::vector<std::string> plain_commands() const;
  // Message data as received (dot-stuffed, terminator excluded), per DATA.
  std::vector<std::string> data() const;
  std::size_t connections() const;
  // How many reads of commands carried more than one line (pipelining seen).
  std::size_t batched_reads() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// RFC 5321 §4.5.2 transparency, undone: "..x" at a line start becomes ".x".
std::string unstuff(const std::string& data);

}  // namespace postern::providers::smtp::test
