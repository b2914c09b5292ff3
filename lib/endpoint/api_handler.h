// lib/endpoint — the SSM JSON 1.1 API the endpoint serves: StartSession, ResumeSession,
// TerminateSession (protocol-smux-kms-aws.md §3), DescribeInstanceInformation (node_directory.h),
// and on the same port the identity services of identity_stand_ins.h, EC2's DescribeInstances, ECS's ExecuteCommand (ecs_stand_in.h), KMS's GenerateDataKey
// (§2.2, the stand-ins of kms_stand_in.h and kms_key_rules.h) and STS's AssumeRole (§3.5, a
// Query call without X-Amz-Target; sts_stand_in.h). Errors are AWS-shaped: HTTP 400 with
// {"__type", "message"} and the type again in x-amzn-ErrorType (STS: its XML ErrorResponse).
// Every request first passes a RequestVerifier: SigV4Verifier with --verify-sigv4, else
// AcceptAnyRequest.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "endpoint/api_types.h"
#include "endpoint/diagnostics.h"
#include "endpoint/ecs_stand_in.h"
#include "endpoint/session_registry.h"

namespace ssm::endpoint {

class IssuedCredentials;
class KmsKeyRules;
class NodeDirectory;
class IdentityStandIns;

class RequestVerifier {
 public:
  // nullopt: let the request through; otherwise the error to answer with.
  virtual std::optional<ApiResponse> verify(const ApiRequest& request) const = 0;

 protected:
  ~RequestVerifier() = default;
};

// Without --verify-sigv4: any Authorization, or none, is fine.
class AcceptAnyRequest final : public RequestVerifier {
 public:
  std::optional<ApiResponse> verify(const ApiRequest&) const override { return std::nullopt; }
};

// What the API does to live sessions, beyond the registry.
class SessionControl {
 public:
  virtual void on_resume(SessionRecord& session) = 0;     // a client is about to reconnect
  virtual void on_terminate(SessionRecord& session) = 0;  // end it now

 protected:
  ~SessionControl() = default;
};

// The other AWS services the endpoint stands in for, and where their event lines go. The
// server owns them; IssuedCredentials is shared with its SigV4Verifier.
struct AwsStandIns {
  IssuedCredentials& sts_credentials;
  KmsKeyRules& kms_keys;
  const NodeDirectory& nodes;  // DescribeInstanceInformation, EC2 DescribeInstances
  IdentityStandIns& identity;  // SSO-OIDC, the SSO portal, Sign-In
  const Diagnostics& out;
};

class ApiHandler {
 public:
  // `stream_base`: scheme, host and port of the data channel, e.g. "wss://127.0.0.1:8443".
  ApiHandler(SessionRegistry& registry, SessionControl& control, const RequestVerifier& verifier,
             AwsStandIns stand_ins, std::string stream_base)
      : registry_(registry),
        control_(control),
        verifier_(verifier),
        stand_ins_(stand_ins),
        stream_base_(std::move(stream_base)),
        ecs_(registry, stand_ins.out, [this](const std::string& id) { return stream_url(id); }) {}

  ApiResponse handle(const ApiRequest& request);

  std::string stream_url(const std::string& session_id) const;
  // Known only once the listener is bound (port 0 picks one).
  void set_stream_base(std::string base) { stream_base_ = std::move(base); }

 private:
  ApiResponse start_session(const wire::Json& request);
  ApiResponse resume_session(const wire::Json& request);
  ApiResponse terminate_session(const wire::Json& request);
  ApiResponse json_call(const ApiRequest& request);
  ApiResponse generate_data_key(const wire::Json& request);
  ApiResponse session_reply(const SessionRecord& r) const;

  SessionRegistry& registry_;
  SessionControl& control_;
  const RequestVerifier& verifier_;
  AwsStandIns stand_ins_;
  std::string stream_base_;
  EcsStandIn ecs_;
};

}  // namespace ssm::endpoint
