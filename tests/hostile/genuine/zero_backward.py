# Genuine part of the tampering cases: a student who never wrote backprop. Every backward sets zero
# gradients and returns zeros, so the gradient checks and the target loss fail honestly.


def _zero_linear_backward(self, grad_out):
    self.W_grad = np.zeros_like(self.W)
    self.b_grad = np.zeros_like(self.b)
    return np.zeros_like(self.x)


NPLinear.backward = _zero_linear_backward
NPMSELoss.backward = lambda self: np.zeros_like(self.diff)
NPReLU.backward = lambda self, grad_out: np.zeros_like(grad_out)
