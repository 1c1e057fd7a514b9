// NN — see README's architecture section.
