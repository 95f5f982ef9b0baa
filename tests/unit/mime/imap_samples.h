// Real-world message shapes for the IMAP structure and section tests: the
// table tests, the comparison with Dovecot and the robustness test share them.
#pragma once

#include <string>
#include <vector>

namespace postern::mime::test {

struct Sample {
  std::string name;
  std::string raw;
  bool crlf = true;  // false: bare LF line ends, which Dovecot rewrites
};

// Every sample, in a fixed order.
const std::vector<Sample>& imap_samples();

// The sample called `name` (aborts the test binary when there is none).
const std::string& imap_sample(const std::string& name);

}  // namespace postern::mime::test
