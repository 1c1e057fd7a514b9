// TensorCore — see README's architecture section.
