// Experiments — see README's architecture section.
