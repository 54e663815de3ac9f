package rtctest

import "net/http"

// WithServerMessageHandler makes the server hand every server message
// (the agents' conv and subv messages, EmitServerMessage's) to h in this
// process instead of posting it to the URL the task was started with:
// each delivery calls h.ServeHTTP with a POST of the message's body, and
// the status h writes counts as the answer, retried by the same rules as
// events. rtcctl fake --server-message-url uses it to send them to a
// backend on the same machine whatever URL the StartVoiceChat names.
func WithServerMessageHandler(h http.Handler) Option {
	return func(c *config) {
		c.serverMsgs = h
	}
}

// serverMessageSink is where a server message for url goes.
func (s *Server) serverMessageSink(url string) *eventSink {
	if s.cfg.serverMsgs != nil {
		return &eventSink{handler: s.cfg.serverMsgs}
	}
	return &eventSink{url: url, client: serverMessageClient}
}
