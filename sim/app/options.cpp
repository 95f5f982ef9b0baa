#include "sim/app/options.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "core/config_values.h"

namespace postern::sim {

namespace {

// "--fault SERVICE:key=value,..." and "--webhook SERVICE:..." (several
// flags for one service add up).
template <typename Spec>
std::optional<std::string> apply_service_flag(std::array<Spec, kServiceCount>& specs,
                                              std::string_view name, const std::string& flag) {
  auto colon = flag.find(':');
  auto service = parse_service(flag.substr(0, colon));
  if (!service)
    return "--" + std::string(name) + " " + flag +
           ": expected SERVICE:SETTINGS with SERVICE one of mailgun, sendgrid, ses, "
           "postmark, smtp";
  auto settings = colon == std::string::npos ? std::string() : flag.substr(colon + 1);
  auto applied = apply_settings(specs[service_index(*service)], settings);
  if (!applied) return "--" + std::string(name) + " " + flag + ": " + applied.error().message;
  return std::nullopt;
}

}  // namespace

std::variant<SimOptions, int> parse_options(int argc, char** argv) {
  SimOptions options;
  CLI::App cli{
      "postern-sim: simulated Mailgun, SendGrid, SES v2 and Postmark APIs and an SMTP relay, with "
      "fault "
      "injection (docs/simulator.md)"};
  std::array<std::string, kServiceCount> listen;
  for (auto s : kAllServices) {
    std::string name(service_name(s));
    cli.add_option("--" + name, listen[service_index(s)],
                   "Start the " + name + " simulator on HOST:PORT (port 0: any)");
  }
  cli.add_option("--control", options.control, "Control API (/_sim/...) on HOST:PORT")
      ->capture_default_str();
  cli.add_option("--threads", options.threads, "I/O threads")->capture_default_str();
  cli.add_option("--record", options.record_path,
                 "Append every accepted message's ids to FILE; read back at start");
  std::string capture = "64MiB";
  cli.add_option("--capture-bytes", capture,
                 "Memory for received messages kept for GET /_sim/messages/{id}")
      ->capture_default_str();
  cli.add_flag("--hash-bodies", options.hash_bodies,
               "Keep the SHA-256 of every received body for GET /_sim/messages/{id}, "
               "even once the body itself is evicted");
  cli.add_option("--seed", options.seed, "Seed for fault dice and ids (0: from the clock)");
  cli.add_option("--log-level", options.log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  std::vector<std::string> faults;
  cli.add_option(
      "--fault", faults,
      "SERVICE:key=value,... initial faults (down, error_rate, error_status, "
      "throttle_rate, retry_after, latency, hang, flap, auth_fail, probes, reject, defer)");

  std::vector<std::string> webhooks;
  cli.add_option("--webhook", webhooks,
                 "SERVICE:key=value,... event webhooks (url, signing_key, username, password, "
                 "topic_arn, signature_version, delay, duplicates, order, retries, retry_delay, "
                 "batch)");
  std::string sendgrid_webhook_key;
  cli.add_option("--sendgrid-webhook-key", sendgrid_webhook_key,
                 "PEM file of the P-256 private key SendGrid's webhooks are signed with "
                 "(default: generated)");
  cli.add_option("--mailgun-key", options.mailgun.api_key, "Mailgun API key (Basic api:KEY)")
      ->capture_default_str();
  cli.add_option("--mailgun-domain", options.mailgun.domains,
                 "A Mailgun domain that exists (default: any)");
  cli.add_option("--sendgrid-key", options.sendgrid.api_key, "SendGrid API key (Bearer)")
      ->capture_default_str();
  cli.add_option("--sendgrid-rate-limit", options.sendgrid.rate_limit,
                 "X-RateLimit-Limit per second")
      ->capture_default_str();
  cli.add_option("--ses-access-key-id", options.ses.credentials.access_key_id, "SES access key id")
      ->capture_default_str();
  cli.add_option("--ses-secret-access-key", options.ses.credentials.secret_access_key,
                 "SES secret access key")
      ->capture_default_str();
  cli.add_option("--ses-region", options.ses.credentials.region,
                 "SES region of the credential scope")
      ->capture_default_str();
  cli.add_option("--ses-verified", options.ses.verified,
                 "A verified SES identity, address or domain (default: any)");
  cli.add_option("--postmark-token", options.postmark.server_token, "Postmark server token")
      ->capture_default_str();
  std::vector<std::string> inactive, rejected;
  cli.add_option("--postmark-inactive", inactive,
                 "Glob of inactive Postmark recipients (ErrorCode 406)");
  cli.add_option("--smtp-reject", rejected, "Glob of recipients the relay refuses (550 5.1.1)");
  cli.add_option("--smtp-user", options.smtp.user, "SMTP AUTH user (AUTH required when set)");
  cli.add_option("--smtp-password", options.smtp.password, "SMTP AUTH password");
  cli.add_option("--smtp-hostname", options.smtp.hostname, "Name in the greeting and EHLO")
      ->capture_default_str();
  std::string max_size = "50MiB";
  cli.add_option("--smtp-max-size", max_size, "SIZE limit of the relay")->capture_default_str();
  cli.add_option("--smtp-max-recipients", options.smtp.max_recipients,
                 "Recipients one transaction takes; more get 452 4.5.3")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
      ->capture_default_str();
  cli.add_option("--tls-cert", options.tls.cert,
                 "PEM certificate chain: the relay offers STARTTLS");
  cli.add_option("--tls-key", options.tls.key,
                 "PEM private key (default: in the certificate file)");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  auto fail = [](const std::string& message) {
    std::cerr << "postern-sim: " << message << "\n";
    return 1;
  };
  for (auto s : kAllServices) {
    if (!listen[service_index(s)].empty())
      options.listen[service_index(s)] = listen[service_index(s)];
  }
  for (const auto& flag : faults) {
    if (auto problem = apply_service_flag(options.faults, "fault", flag)) return fail(*problem);
  }
  for (const auto& flag : webhooks) {
    if (auto problem = apply_service_flag(options.webhooks, "webhook", flag)) return fail(*problem);
  }
  if (!sendgrid_webhook_key.empty()) {
    std::ifstream in(sendgrid_webhook_key, std::ios::binary);
    if (!in) return fail("--sendgrid-webhook-key " + sendgrid_webhook_key + ": cannot read it");
    options.sendgrid_webhook_key_pem.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto& postmark_reject = options.faults[service_index(Service::postmark)].reject;
  postmark_reject.insert(postmark_reject.end(), inactive.begin(), inactive.end());
  auto& smtp_reject = options.faults[service_index(Service::smtp)].reject;
  smtp_reject.insert(smtp_reject.end(), rejected.begin(), rejected.end());
  auto capture_size = parse_size(capture);
  if (!capture_size) return fail("--capture-bytes: " + capture_size.error().message);
  options.capture_bytes = *capture_size;
  auto smtp_size = parse_size(max_size);
  if (!smtp_size) return fail("--smtp-max-size: " + smtp_size.error().message);
  options.smtp.max_message_bytes = *smtp_size;
  if (options.threads == 0) options.threads = 1;
  return options;
}

}  // namespace postern::sim
