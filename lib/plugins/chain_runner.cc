// ChainRunner: rewrite, access (with suspension) and the response phases of one request.
#include "plugins/chain.h"

namespace kong::plugins {

Flow ChainRunner::Rewrite(const Chain& global) {
  const auto& resolved = global.resolved[https_ ? 1 : 0];
  if ((global.phases & kRewritePhase) == 0) return Flow::kContinue;
  for (size_t i = 0; i < resolved.size(); ++i) {
    const ConfiguredPlugin* cp = resolved[i];
    if (cp == nullptr || (cp->phases & kRewritePhase) == 0) continue;
    ctx_.current_slot = global.steps[i].slot;
    // Rewrite is synchronous: a plugin that needs to wait does so in access.
    if (cp->plugin->Rewrite(ctx_) == Flow::kExit || ctx_.exit()) {
      UseForResponse(global);
      return Flow::kExit;
    }
  }
  return Flow::kContinue;
}

const ConfiguredPlugin* ChainRunner::Collect(size_t i) {
  const ConfiguredPlugin* cp;
  if (chain_->consumer_scoped) {
    cp = chain_->steps[i].Resolve(ctx_.consumer());
    if (cp != nullptr && (cp->protocols & (https_ ? kHttpsProtocol : kHttpProtocol)) == 0) {
      cp = nullptr;
    }
    collected_[i] = cp;
  } else {
    cp = chain_->resolved[https_ ? 1 : 0][i];
  }
  reached_ = i + 1;
  if (cp != nullptr) collected_phases_ |= cp->phases;
  return cp;
}

void ChainRunner::Begin(const Chain& chain) {
  chain_ = &chain;
  next_ = reached_ = 0;
  collected_phases_ = 0;
  if (chain.consumer_scoped) collected_.assign(chain.steps.size(), nullptr);
}

Flow ChainRunner::Access(const Chain& chain) {
  Begin(chain);
  return RunAccess();
}

Flow ChainRunner::Resume() {
  if (ctx_.exit()) return Flow::kExit;
  return RunAccess();
}

Flow ChainRunner::RunAccess() {
  const size_t n = chain_->steps.size();
  while (next_ < n) {
    const size_t i = next_++;
    const ConfiguredPlugin* cp = Collect(i);
    if (cp == nullptr || (cp->phases & kAccessPhase) == 0) continue;
    ctx_.current_slot = chain_->steps[i].slot;
    in_call_ = true;
    resumed_early_ = false;
    Flow flow = cp->plugin->Access(ctx_);
    in_call_ = false;
    if (flow == Flow::kExit || ctx_.exit()) return Flow::kExit;
    if (flow == Flow::kWait && !resumed_early_) return Flow::kWait;
  }
  return Flow::kContinue;
}

void ChainRunner::UseForResponse(const Chain& chain) {
  Begin(chain);
  for (size_t i = 0; i < chain.steps.size(); ++i) Collect(i);
}

template <typename Fn>
void ChainRunner::ForEachCollected(uint32_t phase, Fn&& fn) {
  if (chain_ == nullptr || (collected_phases_ & phase) == 0) return;
  for (size_t i = 0; i < reached_; ++i) {
    const ConfiguredPlugin* cp =
        chain_->consumer_scoped ? collected_[i] : chain_->resolved[https_ ? 1 : 0][i];
    if (cp == nullptr || (cp->phases & phase) == 0) continue;
    ctx_.current_slot = chain_->steps[i].slot;
    fn(*cp->plugin);
  }
}

void ChainRunner::ResponseHeaders(http::HeaderEdits& edits) {
  ForEachCollected(kResponseHeadersPhase, [&](const Plugin& p) { p.ResponseHeaders(ctx_, edits); });
}

void ChainRunner::HeaderFilter(ResponseHead& head) {
  ForEachCollected(kHeaderFilterPhase, [&](const Plugin& p) { p.HeaderFilter(ctx_, head); });
}

void ChainRunner::BodyFilter(std::string& chunk, bool eof) {
  ForEachCollected(kBodyFilterPhase, [&](const Plugin& p) { p.BodyFilter(ctx_, chunk, eof); });
}

void ChainRunner::Log(const LogRecord& record) {
  ForEachCollected(kLogPhase, [&](const Plugin& p) { p.Log(ctx_, record); });
}

}  // namespace kong::plugins
