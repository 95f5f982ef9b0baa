// Sans-io server side of SMTP AUTH (RFC 4954) for the PLAIN (RFC 4616) and
// LOGIN mechanisms: base64 lines in, a challenge or the credentials out.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::smtp {

struct Credentials {
  std::string user;
  std::string password;
};

class SaslExchange {
 public:
  enum class Mechanism { plain, login };

  struct Step {
    enum class Kind {
      challenge,     // send "334 " + text and wait for the next line
      credentials,   // complete: check credentials()
      cancelled,     // the client sent "*" (RFC 4954 §4)
      bad_encoding,  // not base64
      malformed,     // decoded, but not a valid message of the mechanism
    };
    Kind kind = Kind::challenge;
    std::string text;  // base64 challenge for `challenge`
  };

  // "PLAIN" or "LOGIN" (already upper-cased); nullopt for anything else.
  static std::optional<Mechanism> mechanism(std::string_view name);

  // Starts an exchange. `initial` is the initial response as sent, if any
  // ("=" is the empty one).
  Step start(Mechanism mechanism, const std::optional<std::string>& initial);
  // The client's answer to the last challenge.
  Step respond(std::string_view line);

  // Valid after a `credentials` step; moved out by the caller.
  Credentials& credentials() { return credentials_; }

 private:
  enum class Expect { plain_message, login_user, login_password };
  Step receive(std::string_view encoded);

  Expect expect_ = Expect::plain_message;
  Credentials credentials_;
};

}  // namespace postern::smtp
