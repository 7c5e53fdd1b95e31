// BytePipe: the WebSocket tunnel between a client and an upstream.
#include "gateway/byte_pipe.h"

namespace kong::gateway {

void BytePipe::Start(WorkerContext& worker, http::UpgradedTransport client,
                     http::UpgradedTransport upstream) {
  auto* pipe = new BytePipe(worker, std::move(client), std::move(upstream));
  worker.pipes.insert(pipe);
  pipe->Wire(0);
  pipe->Wire(1);
}

BytePipe::BytePipe(WorkerContext& worker, http::UpgradedTransport client,
                   http::UpgradedTransport upstream)
    : worker_(worker) {
  sides_[0].transport = std::move(client.transport);
  sides_[1].transport = std::move(upstream.transport);
  // Bytes each side sent right after its HTTP message belong to the other side.
  if (!client.buffered.empty()) (void)sides_[1].transport->Write(std::move(client.buffered));
  if (!upstream.buffered.empty()) (void)sides_[0].transport->Write(std::move(upstream.buffered));
}

void BytePipe::Wire(int i) {
  net::Transport* self = sides_[i].transport.get();
  net::Transport* other = sides_[1 - i].transport.get();
  net::TransportCallbacks cb;
  cb.on_data = [other](std::string_view data) { (void)other->Write(std::string(data)); };
  cb.on_eof = [this] { End(); };
  cb.on_error = [this](const Status&) { End(); };
  // This side's queue is full: stop reading the side that fills it.
  cb.on_write_high = [other] { other->StopReading(); };
  cb.on_write_low = [other] { (void)other->StartReading(); };
  cb.on_closed = [this, i] { OnClosed(i); };
  self->SetCallbacks(std::move(cb));
  if (!self->StartReading().ok()) End();
}

void BytePipe::End() {
  if (ending_) return;
  ending_ = true;
  for (Side& s : sides_) {
    if (!s.closed && !s.transport->closing()) s.transport->Shutdown(1000);
  }
}

void BytePipe::Close() {
  ending_ = true;
  for (Side& s : sides_) {
    if (!s.closed) s.transport->Close();
  }
}

void BytePipe::OnClosed(int i) {
  sides_[i].closed = true;
  End();  // the other side follows
  if (!sides_[0].closed || !sides_[1].closed) return;
  worker_.pipes.erase(this);
  delete this;  // both transports reported on_closed: no callback follows
}

}  // namespace kong::gateway
