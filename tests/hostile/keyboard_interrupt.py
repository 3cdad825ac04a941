# %%
raise KeyboardInterrupt
# %%
after_interrupt = True
