module github.com/volcrtc/rtc/internal/tools

go 1.23.0

require golang.org/x/mod v0.26.0
