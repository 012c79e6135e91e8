package logtypes

// AWS Managed Microsoft AD security logs ([directory-service], Windows
// event XML through CloudWatch Logs). es-loader's script for them is the
// Windows event one: event.action and event.outcome from the event id,
// and the EC2 instance id from the log stream (which, for directory
// controllers, names none). See windows_event.go.

func init() { register("directory-service", transformWindowsEvent) }
