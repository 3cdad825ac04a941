# %%
hoard = [bytearray(50 * 2**20) for _ in range(1000)]  # 50 GB
# %%
import torch

huge = torch.ones(2**36)  # 256 GB
