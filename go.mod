module github.com/volcrtc/rtc

go 1.23
