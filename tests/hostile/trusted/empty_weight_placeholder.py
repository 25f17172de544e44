# An honest placeholder left in: the layer's parameters are empty arrays (training then fails).
def __init__(self, in_channels, out_channels):
    self.W = np.array([])
    self.b = np.array([])
    self.W_grad = np.zeros_like(self.W)
    self.b_grad = np.zeros_like(self.b)


NPLinear.__init__ = __init__
