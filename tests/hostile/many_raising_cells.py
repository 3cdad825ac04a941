# A notebook broken on purpose: 1,000 cells that each raise an error whose message is 200
# characters that JSON escapes to 6 bytes each. Described one by one, the judge's report of
# them is over a megabyte (it was cut mid-JSON and read as a fault of the kit); the learner
# must be told that their cells raised, the first ones quoted, and how many.

# %%
raise ValueError("中" * 200 + " 0")

# %%
raise ValueError("中" * 200 + " 1")

# %%
raise ValueError("中" * 200 + " 2")

# %%
raise ValueError("中" * 200 + " 3")

# %%
raise ValueError("中" * 200 + " 4")

# %%
raise ValueError("中" * 200 + " 5")

# %%
raise ValueError("中" * 200 + " 6")

# %%
raise ValueError("中" * 200 + " 7")

# %%
raise ValueError("中" * 200 + " 8")

# %%
raise ValueError("中" * 200 + " 9")

# %%
raise ValueError("中" * 200 + " 10")

# %%
raise ValueError("中" * 200 + " 11")

# %%
raise ValueError("中" * 200 + " 12")

# %%
raise ValueError("中" * 200 + " 13")

# %%
raise ValueError("中" * 200 + " 14")

# %%
raise ValueError("中" * 200 + " 15")

# %%
raise ValueError("中" * 200 + " 16")

# %%
raise ValueError("中" * 200 + " 17")

# %%
raise ValueError("中" * 200 + " 18")

# %%
raise ValueError("中" * 200 + " 19")

# %%
raise ValueError("中" * 200 + " 20")

# %%
raise ValueError("中" * 200 + " 21")

# %%
raise ValueError("中" * 200 + " 22")

# %%
raise ValueError("中" * 200 + " 23")

# %%
raise ValueError("中" * 200 + " 24")

# %%
raise ValueError("中" * 200 + " 25")

# %%
raise ValueError("中" * 200 + " 26")

# %%
raise ValueError("中" * 200 + " 27")

# %%
raise ValueError("中" * 200 + " 28")

# %%
raise ValueError("中" * 200 + " 29")

# %%
raise ValueError("中" * 200 + " 30")

# %%
raise ValueError("中" * 200 + " 31")

# %%
raise ValueError("中" * 200 + " 32")

# %%
raise ValueError("中" * 200 + " 33")

# %%
raise ValueError("中" * 200 + " 34")

# %%
raise ValueError("中" * 200 + " 35")

# %%
raise ValueError("中" * 200 + " 36")

# %%
raise ValueError("中" * 200 + " 37")

# %%
raise ValueError("中" * 200 + " 38")

# %%
raise ValueError("中" * 200 + " 39")

# %%
raise ValueError("中" * 200 + " 40")

# %%
raise ValueError("中" * 200 + " 41")

# %%
raise ValueError("中" * 200 + " 42")

# %%
raise ValueError("中" * 200 + " 43")

# %%
raise ValueError("中" * 200 + " 44")

# %%
raise ValueError("中" * 200 + " 45")

# %%
raise ValueError("中" * 200 + " 46")

# %%
raise ValueError("中" * 200 + " 47")

# %%
raise ValueError("中" * 200 + " 48")

# %%
raise ValueError("中" * 200 + " 49")

# %%
raise ValueError("中" * 200 + " 50")

# %%
raise ValueError("中" * 200 + " 51")

# %%
raise ValueError("中" * 200 + " 52")

# %%
raise ValueError("中" * 200 + " 53")

# %%
raise ValueError("中" * 200 + " 54")

# %%
raise ValueError("中" * 200 + " 55")

# %%
raise ValueError("中" * 200 + " 56")

# %%
raise ValueError("中" * 200 + " 57")

# %%
raise ValueError("中" * 200 + " 58")

# %%
raise ValueError("中" * 200 + " 59")

# %%
raise ValueError("中" * 200 + " 60")

# %%
raise ValueError("中" * 200 + " 61")

# %%
raise ValueError("中" * 200 + " 62")

# %%
raise ValueError("中" * 200 + " 63")

# %%
raise ValueError("中" * 200 + " 64")

# %%
raise ValueError("中" * 200 + " 65")

# %%
raise ValueError("中" * 200 + " 66")

# %%
raise ValueError("中" * 200 + " 67")

# %%
raise ValueError("中" * 200 + " 68")

# %%
raise ValueError("中" * 200 + " 69")

# %%
raise ValueError("中" * 200 + " 70")

# %%
raise ValueError("中" * 200 + " 71")

# %%
raise ValueError("中" * 200 + " 72")

# %%
raise ValueError("中" * 200 + " 73")

# %%
raise ValueError("中" * 200 + " 74")

# %%
raise ValueError("中" * 200 + " 75")

# %%
raise ValueError("中" * 200 + " 76")

# %%
raise ValueError("中" * 200 + " 77")

# %%
raise ValueError("中" * 200 + " 78")

# %%
raise ValueError("中" * 200 + " 79")

# %%
raise ValueError("中" * 200 + " 80")

# %%
raise ValueError("中" * 200 + " 81")

# %%
raise ValueError("中" * 200 + " 82")

# %%
raise ValueError("中" * 200 + " 83")

# %%
raise ValueError("中" * 200 + " 84")

# %%
raise ValueError("中" * 200 + " 85")

# %%
raise ValueError("中" * 200 + " 86")

# %%
raise ValueError("中" * 200 + " 87")

# %%
raise ValueError("中" * 200 + " 88")

# %%
raise ValueError("中" * 200 + " 89")

# %%
raise ValueError("中" * 200 + " 90")

# %%
raise ValueError("中" * 200 + " 91")

# %%
raise ValueError("中" * 200 + " 92")

# %%
raise ValueError("中" * 200 + " 93")

# %%
raise ValueError("中" * 200 + " 94")

# %%
raise ValueError("中" * 200 + " 95")

# %%
raise ValueError("中" * 200 + " 96")

# %%
raise ValueError("中" * 200 + " 97")

# %%
raise ValueError("中" * 200 + " 98")

# %%
raise ValueError("中" * 200 + " 99")

# %%
raise ValueError("中" * 200 + " 100")

# %%
raise ValueError("中" * 200 + " 101")

# %%
raise ValueError("中" * 200 + " 102")

# %%
raise ValueError("中" * 200 + " 103")

# %%
raise ValueError("中" * 200 + " 104")

# %%
raise ValueError("中" * 200 + " 105")

# %%
raise ValueError("中" * 200 + " 106")

# %%
raise ValueError("中" * 200 + " 107")

# %%
raise ValueError("中" * 200 + " 108")

# %%
raise ValueError("中" * 200 + " 109")

# %%
raise ValueError("中" * 200 + " 110")

# %%
raise ValueError("中" * 200 + " 111")

# %%
raise ValueError("中" * 200 + " 112")

# %%
raise ValueError("中" * 200 + " 113")

# %%
raise ValueError("中" * 200 + " 114")

# %%
raise ValueError("中" * 200 + " 115")

# %%
raise ValueError("中" * 200 + " 116")

# %%
raise ValueError("中" * 200 + " 117")

# %%
raise ValueError("中" * 200 + " 118")

# %%
raise ValueError("中" * 200 + " 119")

# %%
raise ValueError("中" * 200 + " 120")

# %%
raise ValueError("中" * 200 + " 121")

# %%
raise ValueError("中" * 200 + " 122")

# %%
raise ValueError("中" * 200 + " 123")

# %%
raise ValueError("中" * 200 + " 124")

# %%
raise ValueError("中" * 200 + " 125")

# %%
raise ValueError("中" * 200 + " 126")

# %%
raise ValueError("中" * 200 + " 127")

# %%
raise ValueError("中" * 200 + " 128")

# %%
raise ValueError("中" * 200 + " 129")

# %%
raise ValueError("中" * 200 + " 130")

# %%
raise ValueError("中" * 200 + " 131")

# %%
raise ValueError("中" * 200 + " 132")

# %%
raise ValueError("中" * 200 + " 133")

# %%
raise ValueError("中" * 200 + " 134")

# %%
raise ValueError("中" * 200 + " 135")

# %%
raise ValueError("中" * 200 + " 136")

# %%
raise ValueError("中" * 200 + " 137")

# %%
raise ValueError("中" * 200 + " 138")

# %%
raise ValueError("中" * 200 + " 139")

# %%
raise ValueError("中" * 200 + " 140")

# %%
raise ValueError("中" * 200 + " 141")

# %%
raise ValueError("中" * 200 + " 142")

# %%
raise ValueError("中" * 200 + " 143")

# %%
raise ValueError("中" * 200 + " 144")

# %%
raise ValueError("中" * 200 + " 145")

# %%
raise ValueError("中" * 200 + " 146")

# %%
raise ValueError("中" * 200 + " 147")

# %%
raise ValueError("中" * 200 + " 148")

# %%
raise ValueError("中" * 200 + " 149")

# %%
raise ValueError("中" * 200 + " 150")

# %%
raise ValueError("中" * 200 + " 151")

# %%
raise ValueError("中" * 200 + " 152")

# %%
raise ValueError("中" * 200 + " 153")

# %%
raise ValueError("中" * 200 + " 154")

# %%
raise ValueError("中" * 200 + " 155")

# %%
raise ValueError("中" * 200 + " 156")

# %%
raise ValueError("中" * 200 + " 157")

# %%
raise ValueError("中" * 200 + " 158")

# %%
raise ValueError("中" * 200 + " 159")

# %%
raise ValueError("中" * 200 + " 160")

# %%
raise ValueError("中" * 200 + " 161")

# %%
raise ValueError("中" * 200 + " 162")

# %%
raise ValueError("中" * 200 + " 163")

# %%
raise ValueError("中" * 200 + " 164")

# %%
raise ValueError("中" * 200 + " 165")

# %%
raise ValueError("中" * 200 + " 166")

# %%
raise ValueError("中" * 200 + " 167")

# %%
raise ValueError("中" * 200 + " 168")

# %%
raise ValueError("中" * 200 + " 169")

# %%
raise ValueError("中" * 200 + " 170")

# %%
raise ValueError("中" * 200 + " 171")

# %%
raise ValueError("中" * 200 + " 172")

# %%
raise ValueError("中" * 200 + " 173")

# %%
raise ValueError("中" * 200 + " 174")

# %%
raise ValueError("中" * 200 + " 175")

# %%
raise ValueError("中" * 200 + " 176")

# %%
raise ValueError("中" * 200 + " 177")

# %%
raise ValueError("中" * 200 + " 178")

# %%
raise ValueError("中" * 200 + " 179")

# %%
raise ValueError("中" * 200 + " 180")

# %%
raise ValueError("中" * 200 + " 181")

# %%
raise ValueError("中" * 200 + " 182")

# %%
raise ValueError("中" * 200 + " 183")

# %%
raise ValueError("中" * 200 + " 184")

# %%
raise ValueError("中" * 200 + " 185")

# %%
raise ValueError("中" * 200 + " 186")

# %%
raise ValueError("中" * 200 + " 187")

# %%
raise ValueError("中" * 200 + " 188")

# %%
raise ValueError("中" * 200 + " 189")

# %%
raise ValueError("中" * 200 + " 190")

# %%
raise ValueError("中" * 200 + " 191")

# %%
raise ValueError("中" * 200 + " 192")

# %%
raise ValueError("中" * 200 + " 193")

# %%
raise ValueError("中" * 200 + " 194")

# %%
raise ValueError("中" * 200 + " 195")

# %%
raise ValueError("中" * 200 + " 196")

# %%
raise ValueError("中" * 200 + " 197")

# %%
raise ValueError("中" * 200 + " 198")

# %%
raise ValueError("中" * 200 + " 199")

# %%
raise ValueError("中" * 200 + " 200")

# %%
raise ValueError("中" * 200 + " 201")

# %%
raise ValueError("中" * 200 + " 202")

# %%
raise ValueError("中" * 200 + " 203")

# %%
raise ValueError("中" * 200 + " 204")

# %%
raise ValueError("中" * 200 + " 205")

# %%
raise ValueError("中" * 200 + " 206")

# %%
raise ValueError("中" * 200 + " 207")

# %%
raise ValueError("中" * 200 + " 208")

# %%
raise ValueError("中" * 200 + " 209")

# %%
raise ValueError("中" * 200 + " 210")

# %%
raise ValueError("中" * 200 + " 211")

# %%
raise ValueError("中" * 200 + " 212")

# %%
raise ValueError("中" * 200 + " 213")

# %%
raise ValueError("中" * 200 + " 214")

# %%
raise ValueError("中" * 200 + " 215")

# %%
raise ValueError("中" * 200 + " 216")

# %%
raise ValueError("中" * 200 + " 217")

# %%
raise ValueError("中" * 200 + " 218")

# %%
raise ValueError("中" * 200 + " 219")

# %%
raise ValueError("中" * 200 + " 220")

# %%
raise ValueError("中" * 200 + " 221")

# %%
raise ValueError("中" * 200 + " 222")

# %%
raise ValueError("中" * 200 + " 223")

# %%
raise ValueError("中" * 200 + " 224")

# %%
raise ValueError("中" * 200 + " 225")

# %%
raise ValueError("中" * 200 + " 226")

# %%
raise ValueError("中" * 200 + " 227")

# %%
raise ValueError("中" * 200 + " 228")

# %%
raise ValueError("中" * 200 + " 229")

# %%
raise ValueError("中" * 200 + " 230")

# %%
raise ValueError("中" * 200 + " 231")

# %%
raise ValueError("中" * 200 + " 232")

# %%
raise ValueError("中" * 200 + " 233")

# %%
raise ValueError("中" * 200 + " 234")

# %%
raise ValueError("中" * 200 + " 235")

# %%
raise ValueError("中" * 200 + " 236")

# %%
raise ValueError("中" * 200 + " 237")

# %%
raise ValueError("中" * 200 + " 238")

# %%
raise ValueError("中" * 200 + " 239")

# %%
raise ValueError("中" * 200 + " 240")

# %%
raise ValueError("中" * 200 + " 241")

# %%
raise ValueError("中" * 200 + " 242")

# %%
raise ValueError("中" * 200 + " 243")

# %%
raise ValueError("中" * 200 + " 244")

# %%
raise ValueError("中" * 200 + " 245")

# %%
raise ValueError("中" * 200 + " 246")

# %%
raise ValueError("中" * 200 + " 247")

# %%
raise ValueError("中" * 200 + " 248")

# %%
raise ValueError("中" * 200 + " 249")

# %%
raise ValueError("中" * 200 + " 250")

# %%
raise ValueError("中" * 200 + " 251")

# %%
raise ValueError("中" * 200 + " 252")

# %%
raise ValueError("中" * 200 + " 253")

# %%
raise ValueError("中" * 200 + " 254")

# %%
raise ValueError("中" * 200 + " 255")

# %%
raise ValueError("中" * 200 + " 256")

# %%
raise ValueError("中" * 200 + " 257")

# %%
raise ValueError("中" * 200 + " 258")

# %%
raise ValueError("中" * 200 + " 259")

# %%
raise ValueError("中" * 200 + " 260")

# %%
raise ValueError("中" * 200 + " 261")

# %%
raise ValueError("中" * 200 + " 262")

# %%
raise ValueError("中" * 200 + " 263")

# %%
raise ValueError("中" * 200 + " 264")

# %%
raise ValueError("中" * 200 + " 265")

# %%
raise ValueError("中" * 200 + " 266")

# %%
raise ValueError("中" * 200 + " 267")

# %%
raise ValueError("中" * 200 + " 268")

# %%
raise ValueError("中" * 200 + " 269")

# %%
raise ValueError("中" * 200 + " 270")

# %%
raise ValueError("中" * 200 + " 271")

# %%
raise ValueError("中" * 200 + " 272")

# %%
raise ValueError("中" * 200 + " 273")

# %%
raise ValueError("中" * 200 + " 274")

# %%
raise ValueError("中" * 200 + " 275")

# %%
raise ValueError("中" * 200 + " 276")

# %%
raise ValueError("中" * 200 + " 277")

# %%
raise ValueError("中" * 200 + " 278")

# %%
raise ValueError("中" * 200 + " 279")

# %%
raise ValueError("中" * 200 + " 280")

# %%
raise ValueError("中" * 200 + " 281")

# %%
raise ValueError("中" * 200 + " 282")

# %%
raise ValueError("中" * 200 + " 283")

# %%
raise ValueError("中" * 200 + " 284")

# %%
raise ValueError("中" * 200 + " 285")

# %%
raise ValueError("中" * 200 + " 286")

# %%
raise ValueError("中" * 200 + " 287")

# %%
raise ValueError("中" * 200 + " 288")

# %%
raise ValueError("中" * 200 + " 289")

# %%
raise ValueError("中" * 200 + " 290")

# %%
raise ValueError("中" * 200 + " 291")

# %%
raise ValueError("中" * 200 + " 292")

# %%
raise ValueError("中" * 200 + " 293")

# %%
raise ValueError("中" * 200 + " 294")

# %%
raise ValueError("中" * 200 + " 295")

# %%
raise ValueError("中" * 200 + " 296")

# %%
raise ValueError("中" * 200 + " 297")

# %%
raise ValueError("中" * 200 + " 298")

# %%
raise ValueError("中" * 200 + " 299")

# %%
raise ValueError("中" * 200 + " 300")

# %%
raise ValueError("中" * 200 + " 301")

# %%
raise ValueError("中" * 200 + " 302")

# %%
raise ValueError("中" * 200 + " 303")

# %%
raise ValueError("中" * 200 + " 304")

# %%
raise ValueError("中" * 200 + " 305")

# %%
raise ValueError("中" * 200 + " 306")

# %%
raise ValueError("中" * 200 + " 307")

# %%
raise ValueError("中" * 200 + " 308")

# %%
raise ValueError("中" * 200 + " 309")

# %%
raise ValueError("中" * 200 + " 310")

# %%
raise ValueError("中" * 200 + " 311")

# %%
raise ValueError("中" * 200 + " 312")

# %%
raise ValueError("中" * 200 + " 313")

# %%
raise ValueError("中" * 200 + " 314")

# %%
raise ValueError("中" * 200 + " 315")

# %%
raise ValueError("中" * 200 + " 316")

# %%
raise ValueError("中" * 200 + " 317")

# %%
raise ValueError("中" * 200 + " 318")

# %%
raise ValueError("中" * 200 + " 319")

# %%
raise ValueError("中" * 200 + " 320")

# %%
raise ValueError("中" * 200 + " 321")

# %%
raise ValueError("中" * 200 + " 322")

# %%
raise ValueError("中" * 200 + " 323")

# %%
raise ValueError("中" * 200 + " 324")

# %%
raise ValueError("中" * 200 + " 325")

# %%
raise ValueError("中" * 200 + " 326")

# %%
raise ValueError("中" * 200 + " 327")

# %%
raise ValueError("中" * 200 + " 328")

# %%
raise ValueError("中" * 200 + " 329")

# %%
raise ValueError("中" * 200 + " 330")

# %%
raise ValueError("中" * 200 + " 331")

# %%
raise ValueError("中" * 200 + " 332")

# %%
raise ValueError("中" * 200 + " 333")

# %%
raise ValueError("中" * 200 + " 334")

# %%
raise ValueError("中" * 200 + " 335")

# %%
raise ValueError("中" * 200 + " 336")

# %%
raise ValueError("中" * 200 + " 337")

# %%
raise ValueError("中" * 200 + " 338")

# %%
raise ValueError("中" * 200 + " 339")

# %%
raise ValueError("中" * 200 + " 340")

# %%
raise ValueError("中" * 200 + " 341")

# %%
raise ValueError("中" * 200 + " 342")

# %%
raise ValueError("中" * 200 + " 343")

# %%
raise ValueError("中" * 200 + " 344")

# %%
raise ValueError("中" * 200 + " 345")

# %%
raise ValueError("中" * 200 + " 346")

# %%
raise ValueError("中" * 200 + " 347")

# %%
raise ValueError("中" * 200 + " 348")

# %%
raise ValueError("中" * 200 + " 349")

# %%
raise ValueError("中" * 200 + " 350")

# %%
raise ValueError("中" * 200 + " 351")

# %%
raise ValueError("中" * 200 + " 352")

# %%
raise ValueError("中" * 200 + " 353")

# %%
raise ValueError("中" * 200 + " 354")

# %%
raise ValueError("中" * 200 + " 355")

# %%
raise ValueError("中" * 200 + " 356")

# %%
raise ValueError("中" * 200 + " 357")

# %%
raise ValueError("中" * 200 + " 358")

# %%
raise ValueError("中" * 200 + " 359")

# %%
raise ValueError("中" * 200 + " 360")

# %%
raise ValueError("中" * 200 + " 361")

# %%
raise ValueError("中" * 200 + " 362")

# %%
raise ValueError("中" * 200 + " 363")

# %%
raise ValueError("中" * 200 + " 364")

# %%
raise ValueError("中" * 200 + " 365")

# %%
raise ValueError("中" * 200 + " 366")

# %%
raise ValueError("中" * 200 + " 367")

# %%
raise ValueError("中" * 200 + " 368")

# %%
raise ValueError("中" * 200 + " 369")

# %%
raise ValueError("中" * 200 + " 370")

# %%
raise ValueError("中" * 200 + " 371")

# %%
raise ValueError("中" * 200 + " 372")

# %%
raise ValueError("中" * 200 + " 373")

# %%
raise ValueError("中" * 200 + " 374")

# %%
raise ValueError("中" * 200 + " 375")

# %%
raise ValueError("中" * 200 + " 376")

# %%
raise ValueError("中" * 200 + " 377")

# %%
raise ValueError("中" * 200 + " 378")

# %%
raise ValueError("中" * 200 + " 379")

# %%
raise ValueError("中" * 200 + " 380")

# %%
raise ValueError("中" * 200 + " 381")

# %%
raise ValueError("中" * 200 + " 382")

# %%
raise ValueError("中" * 200 + " 383")

# %%
raise ValueError("中" * 200 + " 384")

# %%
raise ValueError("中" * 200 + " 385")

# %%
raise ValueError("中" * 200 + " 386")

# %%
raise ValueError("中" * 200 + " 387")

# %%
raise ValueError("中" * 200 + " 388")

# %%
raise ValueError("中" * 200 + " 389")

# %%
raise ValueError("中" * 200 + " 390")

# %%
raise ValueError("中" * 200 + " 391")

# %%
raise ValueError("中" * 200 + " 392")

# %%
raise ValueError("中" * 200 + " 393")

# %%
raise ValueError("中" * 200 + " 394")

# %%
raise ValueError("中" * 200 + " 395")

# %%
raise ValueError("中" * 200 + " 396")

# %%
raise ValueError("中" * 200 + " 397")

# %%
raise ValueError("中" * 200 + " 398")

# %%
raise ValueError("中" * 200 + " 399")

# %%
raise ValueError("中" * 200 + " 400")

# %%
raise ValueError("中" * 200 + " 401")

# %%
raise ValueError("中" * 200 + " 402")

# %%
raise ValueError("中" * 200 + " 403")

# %%
raise ValueError("中" * 200 + " 404")

# %%
raise ValueError("中" * 200 + " 405")

# %%
raise ValueError("中" * 200 + " 406")

# %%
raise ValueError("中" * 200 + " 407")

# %%
raise ValueError("中" * 200 + " 408")

# %%
raise ValueError("中" * 200 + " 409")

# %%
raise ValueError("中" * 200 + " 410")

# %%
raise ValueError("中" * 200 + " 411")

# %%
raise ValueError("中" * 200 + " 412")

# %%
raise ValueError("中" * 200 + " 413")

# %%
raise ValueError("中" * 200 + " 414")

# %%
raise ValueError("中" * 200 + " 415")

# %%
raise ValueError("中" * 200 + " 416")

# %%
raise ValueError("中" * 200 + " 417")

# %%
raise ValueError("中" * 200 + " 418")

# %%
raise ValueError("中" * 200 + " 419")

# %%
raise ValueError("中" * 200 + " 420")

# %%
raise ValueError("中" * 200 + " 421")

# %%
raise ValueError("中" * 200 + " 422")

# %%
raise ValueError("中" * 200 + " 423")

# %%
raise ValueError("中" * 200 + " 424")

# %%
raise ValueError("中" * 200 + " 425")

# %%
raise ValueError("中" * 200 + " 426")

# %%
raise ValueError("中" * 200 + " 427")

# %%
raise ValueError("中" * 200 + " 428")

# %%
raise ValueError("中" * 200 + " 429")

# %%
raise ValueError("中" * 200 + " 430")

# %%
raise ValueError("中" * 200 + " 431")

# %%
raise ValueError("中" * 200 + " 432")

# %%
raise ValueError("中" * 200 + " 433")

# %%
raise ValueError("中" * 200 + " 434")

# %%
raise ValueError("中" * 200 + " 435")

# %%
raise ValueError("中" * 200 + " 436")

# %%
raise ValueError("中" * 200 + " 437")

# %%
raise ValueError("中" * 200 + " 438")

# %%
raise ValueError("中" * 200 + " 439")

# %%
raise ValueError("中" * 200 + " 440")

# %%
raise ValueError("中" * 200 + " 441")

# %%
raise ValueError("中" * 200 + " 442")

# %%
raise ValueError("中" * 200 + " 443")

# %%
raise ValueError("中" * 200 + " 444")

# %%
raise ValueError("中" * 200 + " 445")

# %%
raise ValueError("中" * 200 + " 446")

# %%
raise ValueError("中" * 200 + " 447")

# %%
raise ValueError("中" * 200 + " 448")

# %%
raise ValueError("中" * 200 + " 449")

# %%
raise ValueError("中" * 200 + " 450")

# %%
raise ValueError("中" * 200 + " 451")

# %%
raise ValueError("中" * 200 + " 452")

# %%
raise ValueError("中" * 200 + " 453")

# %%
raise ValueError("中" * 200 + " 454")

# %%
raise ValueError("中" * 200 + " 455")

# %%
raise ValueError("中" * 200 + " 456")

# %%
raise ValueError("中" * 200 + " 457")

# %%
raise ValueError("中" * 200 + " 458")

# %%
raise ValueError("中" * 200 + " 459")

# %%
raise ValueError("中" * 200 + " 460")

# %%
raise ValueError("中" * 200 + " 461")

# %%
raise ValueError("中" * 200 + " 462")

# %%
raise ValueError("中" * 200 + " 463")

# %%
raise ValueError("中" * 200 + " 464")

# %%
raise ValueError("中" * 200 + " 465")

# %%
raise ValueError("中" * 200 + " 466")

# %%
raise ValueError("中" * 200 + " 467")

# %%
raise ValueError("中" * 200 + " 468")

# %%
raise ValueError("中" * 200 + " 469")

# %%
raise ValueError("中" * 200 + " 470")

# %%
raise ValueError("中" * 200 + " 471")

# %%
raise ValueError("中" * 200 + " 472")

# %%
raise ValueError("中" * 200 + " 473")

# %%
raise ValueError("中" * 200 + " 474")

# %%
raise ValueError("中" * 200 + " 475")

# %%
raise ValueError("中" * 200 + " 476")

# %%
raise ValueError("中" * 200 + " 477")

# %%
raise ValueError("中" * 200 + " 478")

# %%
raise ValueError("中" * 200 + " 479")

# %%
raise ValueError("中" * 200 + " 480")

# %%
raise ValueError("中" * 200 + " 481")

# %%
raise ValueError("中" * 200 + " 482")

# %%
raise ValueError("中" * 200 + " 483")

# %%
raise ValueError("中" * 200 + " 484")

# %%
raise ValueError("中" * 200 + " 485")

# %%
raise ValueError("中" * 200 + " 486")

# %%
raise ValueError("中" * 200 + " 487")

# %%
raise ValueError("中" * 200 + " 488")

# %%
raise ValueError("中" * 200 + " 489")

# %%
raise ValueError("中" * 200 + " 490")

# %%
raise ValueError("中" * 200 + " 491")

# %%
raise ValueError("中" * 200 + " 492")

# %%
raise ValueError("中" * 200 + " 493")

# %%
raise ValueError("中" * 200 + " 494")

# %%
raise ValueError("中" * 200 + " 495")

# %%
raise ValueError("中" * 200 + " 496")

# %%
raise ValueError("中" * 200 + " 497")

# %%
raise ValueError("中" * 200 + " 498")

# %%
raise ValueError("中" * 200 + " 499")

# %%
raise ValueError("中" * 200 + " 500")

# %%
raise ValueError("中" * 200 + " 501")

# %%
raise ValueError("中" * 200 + " 502")

# %%
raise ValueError("中" * 200 + " 503")

# %%
raise ValueError("中" * 200 + " 504")

# %%
raise ValueError("中" * 200 + " 505")

# %%
raise ValueError("中" * 200 + " 506")

# %%
raise ValueError("中" * 200 + " 507")

# %%
raise ValueError("中" * 200 + " 508")

# %%
raise ValueError("中" * 200 + " 509")

# %%
raise ValueError("中" * 200 + " 510")

# %%
raise ValueError("中" * 200 + " 511")

# %%
raise ValueError("中" * 200 + " 512")

# %%
raise ValueError("中" * 200 + " 513")

# %%
raise ValueError("中" * 200 + " 514")

# %%
raise ValueError("中" * 200 + " 515")

# %%
raise ValueError("中" * 200 + " 516")

# %%
raise ValueError("中" * 200 + " 517")

# %%
raise ValueError("中" * 200 + " 518")

# %%
raise ValueError("中" * 200 + " 519")

# %%
raise ValueError("中" * 200 + " 520")

# %%
raise ValueError("中" * 200 + " 521")

# %%
raise ValueError("中" * 200 + " 522")

# %%
raise ValueError("中" * 200 + " 523")

# %%
raise ValueError("中" * 200 + " 524")

# %%
raise ValueError("中" * 200 + " 525")

# %%
raise ValueError("中" * 200 + " 526")

# %%
raise ValueError("中" * 200 + " 527")

# %%
raise ValueError("中" * 200 + " 528")

# %%
raise ValueError("中" * 200 + " 529")

# %%
raise ValueError("中" * 200 + " 530")

# %%
raise ValueError("中" * 200 + " 531")

# %%
raise ValueError("中" * 200 + " 532")

# %%
raise ValueError("中" * 200 + " 533")

# %%
raise ValueError("中" * 200 + " 534")

# %%
raise ValueError("中" * 200 + " 535")

# %%
raise ValueError("中" * 200 + " 536")

# %%
raise ValueError("中" * 200 + " 537")

# %%
raise ValueError("中" * 200 + " 538")

# %%
raise ValueError("中" * 200 + " 539")

# %%
raise ValueError("中" * 200 + " 540")

# %%
raise ValueError("中" * 200 + " 541")

# %%
raise ValueError("中" * 200 + " 542")

# %%
raise ValueError("中" * 200 + " 543")

# %%
raise ValueError("中" * 200 + " 544")

# %%
raise ValueError("中" * 200 + " 545")

# %%
raise ValueError("中" * 200 + " 546")

# %%
raise ValueError("中" * 200 + " 547")

# %%
raise ValueError("中" * 200 + " 548")

# %%
raise ValueError("中" * 200 + " 549")

# %%
raise ValueError("中" * 200 + " 550")

# %%
raise ValueError("中" * 200 + " 551")

# %%
raise ValueError("中" * 200 + " 552")

# %%
raise ValueError("中" * 200 + " 553")

# %%
raise ValueError("中" * 200 + " 554")

# %%
raise ValueError("中" * 200 + " 555")

# %%
raise ValueError("中" * 200 + " 556")

# %%
raise ValueError("中" * 200 + " 557")

# %%
raise ValueError("中" * 200 + " 558")

# %%
raise ValueError("中" * 200 + " 559")

# %%
raise ValueError("中" * 200 + " 560")

# %%
raise ValueError("中" * 200 + " 561")

# %%
raise ValueError("中" * 200 + " 562")

# %%
raise ValueError("中" * 200 + " 563")

# %%
raise ValueError("中" * 200 + " 564")

# %%
raise ValueError("中" * 200 + " 565")

# %%
raise ValueError("中" * 200 + " 566")

# %%
raise ValueError("中" * 200 + " 567")

# %%
raise ValueError("中" * 200 + " 568")

# %%
raise ValueError("中" * 200 + " 569")

# %%
raise ValueError("中" * 200 + " 570")

# %%
raise ValueError("中" * 200 + " 571")

# %%
raise ValueError("中" * 200 + " 572")

# %%
raise ValueError("中" * 200 + " 573")

# %%
raise ValueError("中" * 200 + " 574")

# %%
raise ValueError("中" * 200 + " 575")

# %%
raise ValueError("中" * 200 + " 576")

# %%
raise ValueError("中" * 200 + " 577")

# %%
raise ValueError("中" * 200 + " 578")

# %%
raise ValueError("中" * 200 + " 579")

# %%
raise ValueError("中" * 200 + " 580")

# %%
raise ValueError("中" * 200 + " 581")

# %%
raise ValueError("中" * 200 + " 582")

# %%
raise ValueError("中" * 200 + " 583")

# %%
raise ValueError("中" * 200 + " 584")

# %%
raise ValueError("中" * 200 + " 585")

# %%
raise ValueError("中" * 200 + " 586")

# %%
raise ValueError("中" * 200 + " 587")

# %%
raise ValueError("中" * 200 + " 588")

# %%
raise ValueError("中" * 200 + " 589")

# %%
raise ValueError("中" * 200 + " 590")

# %%
raise ValueError("中" * 200 + " 591")

# %%
raise ValueError("中" * 200 + " 592")

# %%
raise ValueError("中" * 200 + " 593")

# %%
raise ValueError("中" * 200 + " 594")

# %%
raise ValueError("中" * 200 + " 595")

# %%
raise ValueError("中" * 200 + " 596")

# %%
raise ValueError("中" * 200 + " 597")

# %%
raise ValueError("中" * 200 + " 598")

# %%
raise ValueError("中" * 200 + " 599")

# %%
raise ValueError("中" * 200 + " 600")

# %%
raise ValueError("中" * 200 + " 601")

# %%
raise ValueError("中" * 200 + " 602")

# %%
raise ValueError("中" * 200 + " 603")

# %%
raise ValueError("中" * 200 + " 604")

# %%
raise ValueError("中" * 200 + " 605")

# %%
raise ValueError("中" * 200 + " 606")

# %%
raise ValueError("中" * 200 + " 607")

# %%
raise ValueError("中" * 200 + " 608")

# %%
raise ValueError("中" * 200 + " 609")

# %%
raise ValueError("中" * 200 + " 610")

# %%
raise ValueError("中" * 200 + " 611")

# %%
raise ValueError("中" * 200 + " 612")

# %%
raise ValueError("中" * 200 + " 613")

# %%
raise ValueError("中" * 200 + " 614")

# %%
raise ValueError("中" * 200 + " 615")

# %%
raise ValueError("中" * 200 + " 616")

# %%
raise ValueError("中" * 200 + " 617")

# %%
raise ValueError("中" * 200 + " 618")

# %%
raise ValueError("中" * 200 + " 619")

# %%
raise ValueError("中" * 200 + " 620")

# %%
raise ValueError("中" * 200 + " 621")

# %%
raise ValueError("中" * 200 + " 622")

# %%
raise ValueError("中" * 200 + " 623")

# %%
raise ValueError("中" * 200 + " 624")

# %%
raise ValueError("中" * 200 + " 625")

# %%
raise ValueError("中" * 200 + " 626")

# %%
raise ValueError("中" * 200 + " 627")

# %%
raise ValueError("中" * 200 + " 628")

# %%
raise ValueError("中" * 200 + " 629")

# %%
raise ValueError("中" * 200 + " 630")

# %%
raise ValueError("中" * 200 + " 631")

# %%
raise ValueError("中" * 200 + " 632")

# %%
raise ValueError("中" * 200 + " 633")

# %%
raise ValueError("中" * 200 + " 634")

# %%
raise ValueError("中" * 200 + " 635")

# %%
raise ValueError("中" * 200 + " 636")

# %%
raise ValueError("中" * 200 + " 637")

# %%
raise ValueError("中" * 200 + " 638")

# %%
raise ValueError("中" * 200 + " 639")

# %%
raise ValueError("中" * 200 + " 640")

# %%
raise ValueError("中" * 200 + " 641")

# %%
raise ValueError("中" * 200 + " 642")

# %%
raise ValueError("中" * 200 + " 643")

# %%
raise ValueError("中" * 200 + " 644")

# %%
raise ValueError("中" * 200 + " 645")

# %%
raise ValueError("中" * 200 + " 646")

# %%
raise ValueError("中" * 200 + " 647")

# %%
raise ValueError("中" * 200 + " 648")

# %%
raise ValueError("中" * 200 + " 649")

# %%
raise ValueError("中" * 200 + " 650")

# %%
raise ValueError("中" * 200 + " 651")

# %%
raise ValueError("中" * 200 + " 652")

# %%
raise ValueError("中" * 200 + " 653")

# %%
raise ValueError("中" * 200 + " 654")

# %%
raise ValueError("中" * 200 + " 655")

# %%
raise ValueError("中" * 200 + " 656")

# %%
raise ValueError("中" * 200 + " 657")

# %%
raise ValueError("中" * 200 + " 658")

# %%
raise ValueError("中" * 200 + " 659")

# %%
raise ValueError("中" * 200 + " 660")

# %%
raise ValueError("中" * 200 + " 661")

# %%
raise ValueError("中" * 200 + " 662")

# %%
raise ValueError("中" * 200 + " 663")

# %%
raise ValueError("中" * 200 + " 664")

# %%
raise ValueError("中" * 200 + " 665")

# %%
raise ValueError("中" * 200 + " 666")

# %%
raise ValueError("中" * 200 + " 667")

# %%
raise ValueError("中" * 200 + " 668")

# %%
raise ValueError("中" * 200 + " 669")

# %%
raise ValueError("中" * 200 + " 670")

# %%
raise ValueError("中" * 200 + " 671")

# %%
raise ValueError("中" * 200 + " 672")

# %%
raise ValueError("中" * 200 + " 673")

# %%
raise ValueError("中" * 200 + " 674")

# %%
raise ValueError("中" * 200 + " 675")

# %%
raise ValueError("中" * 200 + " 676")

# %%
raise ValueError("中" * 200 + " 677")

# %%
raise ValueError("中" * 200 + " 678")

# %%
raise ValueError("中" * 200 + " 679")

# %%
raise ValueError("中" * 200 + " 680")

# %%
raise ValueError("中" * 200 + " 681")

# %%
raise ValueError("中" * 200 + " 682")

# %%
raise ValueError("中" * 200 + " 683")

# %%
raise ValueError("中" * 200 + " 684")

# %%
raise ValueError("中" * 200 + " 685")

# %%
raise ValueError("中" * 200 + " 686")

# %%
raise ValueError("中" * 200 + " 687")

# %%
raise ValueError("中" * 200 + " 688")

# %%
raise ValueError("中" * 200 + " 689")

# %%
raise ValueError("中" * 200 + " 690")

# %%
raise ValueError("中" * 200 + " 691")

# %%
raise ValueError("中" * 200 + " 692")

# %%
raise ValueError("中" * 200 + " 693")

# %%
raise ValueError("中" * 200 + " 694")

# %%
raise ValueError("中" * 200 + " 695")

# %%
raise ValueError("中" * 200 + " 696")

# %%
raise ValueError("中" * 200 + " 697")

# %%
raise ValueError("中" * 200 + " 698")

# %%
raise ValueError("中" * 200 + " 699")

# %%
raise ValueError("中" * 200 + " 700")

# %%
raise ValueError("中" * 200 + " 701")

# %%
raise ValueError("中" * 200 + " 702")

# %%
raise ValueError("中" * 200 + " 703")

# %%
raise ValueError("中" * 200 + " 704")

# %%
raise ValueError("中" * 200 + " 705")

# %%
raise ValueError("中" * 200 + " 706")

# %%
raise ValueError("中" * 200 + " 707")

# %%
raise ValueError("中" * 200 + " 708")

# %%
raise ValueError("中" * 200 + " 709")

# %%
raise ValueError("中" * 200 + " 710")

# %%
raise ValueError("中" * 200 + " 711")

# %%
raise ValueError("中" * 200 + " 712")

# %%
raise ValueError("中" * 200 + " 713")

# %%
raise ValueError("中" * 200 + " 714")

# %%
raise ValueError("中" * 200 + " 715")

# %%
raise ValueError("中" * 200 + " 716")

# %%
raise ValueError("中" * 200 + " 717")

# %%
raise ValueError("中" * 200 + " 718")

# %%
raise ValueError("中" * 200 + " 719")

# %%
raise ValueError("中" * 200 + " 720")

# %%
raise ValueError("中" * 200 + " 721")

# %%
raise ValueError("中" * 200 + " 722")

# %%
raise ValueError("中" * 200 + " 723")

# %%
raise ValueError("中" * 200 + " 724")

# %%
raise ValueError("中" * 200 + " 725")

# %%
raise ValueError("中" * 200 + " 726")

# %%
raise ValueError("中" * 200 + " 727")

# %%
raise ValueError("中" * 200 + " 728")

# %%
raise ValueError("中" * 200 + " 729")

# %%
raise ValueError("中" * 200 + " 730")

# %%
raise ValueError("中" * 200 + " 731")

# %%
raise ValueError("中" * 200 + " 732")

# %%
raise ValueError("中" * 200 + " 733")

# %%
raise ValueError("中" * 200 + " 734")

# %%
raise ValueError("中" * 200 + " 735")

# %%
raise ValueError("中" * 200 + " 736")

# %%
raise ValueError("中" * 200 + " 737")

# %%
raise ValueError("中" * 200 + " 738")

# %%
raise ValueError("中" * 200 + " 739")

# %%
raise ValueError("中" * 200 + " 740")

# %%
raise ValueError("中" * 200 + " 741")

# %%
raise ValueError("中" * 200 + " 742")

# %%
raise ValueError("中" * 200 + " 743")

# %%
raise ValueError("中" * 200 + " 744")

# %%
raise ValueError("中" * 200 + " 745")

# %%
raise ValueError("中" * 200 + " 746")

# %%
raise ValueError("中" * 200 + " 747")

# %%
raise ValueError("中" * 200 + " 748")

# %%
raise ValueError("中" * 200 + " 749")

# %%
raise ValueError("中" * 200 + " 750")

# %%
raise ValueError("中" * 200 + " 751")

# %%
raise ValueError("中" * 200 + " 752")

# %%
raise ValueError("中" * 200 + " 753")

# %%
raise ValueError("中" * 200 + " 754")

# %%
raise ValueError("中" * 200 + " 755")

# %%
raise ValueError("中" * 200 + " 756")

# %%
raise ValueError("中" * 200 + " 757")

# %%
raise ValueError("中" * 200 + " 758")

# %%
raise ValueError("中" * 200 + " 759")

# %%
raise ValueError("中" * 200 + " 760")

# %%
raise ValueError("中" * 200 + " 761")

# %%
raise ValueError("中" * 200 + " 762")

# %%
raise ValueError("中" * 200 + " 763")

# %%
raise ValueError("中" * 200 + " 764")

# %%
raise ValueError("中" * 200 + " 765")

# %%
raise ValueError("中" * 200 + " 766")

# %%
raise ValueError("中" * 200 + " 767")

# %%
raise ValueError("中" * 200 + " 768")

# %%
raise ValueError("中" * 200 + " 769")

# %%
raise ValueError("中" * 200 + " 770")

# %%
raise ValueError("中" * 200 + " 771")

# %%
raise ValueError("中" * 200 + " 772")

# %%
raise ValueError("中" * 200 + " 773")

# %%
raise ValueError("中" * 200 + " 774")

# %%
raise ValueError("中" * 200 + " 775")

# %%
raise ValueError("中" * 200 + " 776")

# %%
raise ValueError("中" * 200 + " 777")

# %%
raise ValueError("中" * 200 + " 778")

# %%
raise ValueError("中" * 200 + " 779")

# %%
raise ValueError("中" * 200 + " 780")

# %%
raise ValueError("中" * 200 + " 781")

# %%
raise ValueError("中" * 200 + " 782")

# %%
raise ValueError("中" * 200 + " 783")

# %%
raise ValueError("中" * 200 + " 784")

# %%
raise ValueError("中" * 200 + " 785")

# %%
raise ValueError("中" * 200 + " 786")

# %%
raise ValueError("中" * 200 + " 787")

# %%
raise ValueError("中" * 200 + " 788")

# %%
raise ValueError("中" * 200 + " 789")

# %%
raise ValueError("中" * 200 + " 790")

# %%
raise ValueError("中" * 200 + " 791")

# %%
raise ValueError("中" * 200 + " 792")

# %%
raise ValueError("中" * 200 + " 793")

# %%
raise ValueError("中" * 200 + " 794")

# %%
raise ValueError("中" * 200 + " 795")

# %%
raise ValueError("中" * 200 + " 796")

# %%
raise ValueError("中" * 200 + " 797")

# %%
raise ValueError("中" * 200 + " 798")

# %%
raise ValueError("中" * 200 + " 799")

# %%
raise ValueError("中" * 200 + " 800")

# %%
raise ValueError("中" * 200 + " 801")

# %%
raise ValueError("中" * 200 + " 802")

# %%
raise ValueError("中" * 200 + " 803")

# %%
raise ValueError("中" * 200 + " 804")

# %%
raise ValueError("中" * 200 + " 805")

# %%
raise ValueError("中" * 200 + " 806")

# %%
raise ValueError("中" * 200 + " 807")

# %%
raise ValueError("中" * 200 + " 808")

# %%
raise ValueError("中" * 200 + " 809")

# %%
raise ValueError("中" * 200 + " 810")

# %%
raise ValueError("中" * 200 + " 811")

# %%
raise ValueError("中" * 200 + " 812")

# %%
raise ValueError("中" * 200 + " 813")

# %%
raise ValueError("中" * 200 + " 814")

# %%
raise ValueError("中" * 200 + " 815")

# %%
raise ValueError("中" * 200 + " 816")

# %%
raise ValueError("中" * 200 + " 817")

# %%
raise ValueError("中" * 200 + " 818")

# %%
raise ValueError("中" * 200 + " 819")

# %%
raise ValueError("中" * 200 + " 820")

# %%
raise ValueError("中" * 200 + " 821")

# %%
raise ValueError("中" * 200 + " 822")

# %%
raise ValueError("中" * 200 + " 823")

# %%
raise ValueError("中" * 200 + " 824")

# %%
raise ValueError("中" * 200 + " 825")

# %%
raise ValueError("中" * 200 + " 826")

# %%
raise ValueError("中" * 200 + " 827")

# %%
raise ValueError("中" * 200 + " 828")

# %%
raise ValueError("中" * 200 + " 829")

# %%
raise ValueError("中" * 200 + " 830")

# %%
raise ValueError("中" * 200 + " 831")

# %%
raise ValueError("中" * 200 + " 832")

# %%
raise ValueError("中" * 200 + " 833")

# %%
raise ValueError("中" * 200 + " 834")

# %%
raise ValueError("中" * 200 + " 835")

# %%
raise ValueError("中" * 200 + " 836")

# %%
raise ValueError("中" * 200 + " 837")

# %%
raise ValueError("中" * 200 + " 838")

# %%
raise ValueError("中" * 200 + " 839")

# %%
raise ValueError("中" * 200 + " 840")

# %%
raise ValueError("中" * 200 + " 841")

# %%
raise ValueError("中" * 200 + " 842")

# %%
raise ValueError("中" * 200 + " 843")

# %%
raise ValueError("中" * 200 + " 844")

# %%
raise ValueError("中" * 200 + " 845")

# %%
raise ValueError("中" * 200 + " 846")

# %%
raise ValueError("中" * 200 + " 847")

# %%
raise ValueError("中" * 200 + " 848")

# %%
raise ValueError("中" * 200 + " 849")

# %%
raise ValueError("中" * 200 + " 850")

# %%
raise ValueError("中" * 200 + " 851")

# %%
raise ValueError("中" * 200 + " 852")

# %%
raise ValueError("中" * 200 + " 853")

# %%
raise ValueError("中" * 200 + " 854")

# %%
raise ValueError("中" * 200 + " 855")

# %%
raise ValueError("中" * 200 + " 856")

# %%
raise ValueError("中" * 200 + " 857")

# %%
raise ValueError("中" * 200 + " 858")

# %%
raise ValueError("中" * 200 + " 859")

# %%
raise ValueError("中" * 200 + " 860")

# %%
raise ValueError("中" * 200 + " 861")

# %%
raise ValueError("中" * 200 + " 862")

# %%
raise ValueError("中" * 200 + " 863")

# %%
raise ValueError("中" * 200 + " 864")

# %%
raise ValueError("中" * 200 + " 865")

# %%
raise ValueError("中" * 200 + " 866")

# %%
raise ValueError("中" * 200 + " 867")

# %%
raise ValueError("中" * 200 + " 868")

# %%
raise ValueError("中" * 200 + " 869")

# %%
raise ValueError("中" * 200 + " 870")

# %%
raise ValueError("中" * 200 + " 871")

# %%
raise ValueError("中" * 200 + " 872")

# %%
raise ValueError("中" * 200 + " 873")

# %%
raise ValueError("中" * 200 + " 874")

# %%
raise ValueError("中" * 200 + " 875")

# %%
raise ValueError("中" * 200 + " 876")

# %%
raise ValueError("中" * 200 + " 877")

# %%
raise ValueError("中" * 200 + " 878")

# %%
raise ValueError("中" * 200 + " 879")

# %%
raise ValueError("中" * 200 + " 880")

# %%
raise ValueError("中" * 200 + " 881")

# %%
raise ValueError("中" * 200 + " 882")

# %%
raise ValueError("中" * 200 + " 883")

# %%
raise ValueError("中" * 200 + " 884")

# %%
raise ValueError("中" * 200 + " 885")

# %%
raise ValueError("中" * 200 + " 886")

# %%
raise ValueError("中" * 200 + " 887")

# %%
raise ValueError("中" * 200 + " 888")

# %%
raise ValueError("中" * 200 + " 889")

# %%
raise ValueError("中" * 200 + " 890")

# %%
raise ValueError("中" * 200 + " 891")

# %%
raise ValueError("中" * 200 + " 892")

# %%
raise ValueError("中" * 200 + " 893")

# %%
raise ValueError("中" * 200 + " 894")

# %%
raise ValueError("中" * 200 + " 895")

# %%
raise ValueError("中" * 200 + " 896")

# %%
raise ValueError("中" * 200 + " 897")

# %%
raise ValueError("中" * 200 + " 898")

# %%
raise ValueError("中" * 200 + " 899")

# %%
raise ValueError("中" * 200 + " 900")

# %%
raise ValueError("中" * 200 + " 901")

# %%
raise ValueError("中" * 200 + " 902")

# %%
raise ValueError("中" * 200 + " 903")

# %%
raise ValueError("中" * 200 + " 904")

# %%
raise ValueError("中" * 200 + " 905")

# %%
raise ValueError("中" * 200 + " 906")

# %%
raise ValueError("中" * 200 + " 907")

# %%
raise ValueError("中" * 200 + " 908")

# %%
raise ValueError("中" * 200 + " 909")

# %%
raise ValueError("中" * 200 + " 910")

# %%
raise ValueError("中" * 200 + " 911")

# %%
raise ValueError("中" * 200 + " 912")

# %%
raise ValueError("中" * 200 + " 913")

# %%
raise ValueError("中" * 200 + " 914")

# %%
raise ValueError("中" * 200 + " 915")

# %%
raise ValueError("中" * 200 + " 916")

# %%
raise ValueError("中" * 200 + " 917")

# %%
raise ValueError("中" * 200 + " 918")

# %%
raise ValueError("中" * 200 + " 919")

# %%
raise ValueError("中" * 200 + " 920")

# %%
raise ValueError("中" * 200 + " 921")

# %%
raise ValueError("中" * 200 + " 922")

# %%
raise ValueError("中" * 200 + " 923")

# %%
raise ValueError("中" * 200 + " 924")

# %%
raise ValueError("中" * 200 + " 925")

# %%
raise ValueError("中" * 200 + " 926")

# %%
raise ValueError("中" * 200 + " 927")

# %%
raise ValueError("中" * 200 + " 928")

# %%
raise ValueError("中" * 200 + " 929")

# %%
raise ValueError("中" * 200 + " 930")

# %%
raise ValueError("中" * 200 + " 931")

# %%
raise ValueError("中" * 200 + " 932")

# %%
raise ValueError("中" * 200 + " 933")

# %%
raise ValueError("中" * 200 + " 934")

# %%
raise ValueError("中" * 200 + " 935")

# %%
raise ValueError("中" * 200 + " 936")

# %%
raise ValueError("中" * 200 + " 937")

# %%
raise ValueError("中" * 200 + " 938")

# %%
raise ValueError("中" * 200 + " 939")

# %%
raise ValueError("中" * 200 + " 940")

# %%
raise ValueError("中" * 200 + " 941")

# %%
raise ValueError("中" * 200 + " 942")

# %%
raise ValueError("中" * 200 + " 943")

# %%
raise ValueError("中" * 200 + " 944")

# %%
raise ValueError("中" * 200 + " 945")

# %%
raise ValueError("中" * 200 + " 946")

# %%
raise ValueError("中" * 200 + " 947")

# %%
raise ValueError("中" * 200 + " 948")

# %%
raise ValueError("中" * 200 + " 949")

# %%
raise ValueError("中" * 200 + " 950")

# %%
raise ValueError("中" * 200 + " 951")

# %%
raise ValueError("中" * 200 + " 952")

# %%
raise ValueError("中" * 200 + " 953")

# %%
raise ValueError("中" * 200 + " 954")

# %%
raise ValueError("中" * 200 + " 955")

# %%
raise ValueError("中" * 200 + " 956")

# %%
raise ValueError("中" * 200 + " 957")

# %%
raise ValueError("中" * 200 + " 958")

# %%
raise ValueError("中" * 200 + " 959")

# %%
raise ValueError("中" * 200 + " 960")

# %%
raise ValueError("中" * 200 + " 961")

# %%
raise ValueError("中" * 200 + " 962")

# %%
raise ValueError("中" * 200 + " 963")

# %%
raise ValueError("中" * 200 + " 964")

# %%
raise ValueError("中" * 200 + " 965")

# %%
raise ValueError("中" * 200 + " 966")

# %%
raise ValueError("中" * 200 + " 967")

# %%
raise ValueError("中" * 200 + " 968")

# %%
raise ValueError("中" * 200 + " 969")

# %%
raise ValueError("中" * 200 + " 970")

# %%
raise ValueError("中" * 200 + " 971")

# %%
raise ValueError("中" * 200 + " 972")

# %%
raise ValueError("中" * 200 + " 973")

# %%
raise ValueError("中" * 200 + " 974")

# %%
raise ValueError("中" * 200 + " 975")

# %%
raise ValueError("中" * 200 + " 976")

# %%
raise ValueError("中" * 200 + " 977")

# %%
raise ValueError("中" * 200 + " 978")

# %%
raise ValueError("中" * 200 + " 979")

# %%
raise ValueError("中" * 200 + " 980")

# %%
raise ValueError("中" * 200 + " 981")

# %%
raise ValueError("中" * 200 + " 982")

# %%
raise ValueError("中" * 200 + " 983")

# %%
raise ValueError("中" * 200 + " 984")

# %%
raise ValueError("中" * 200 + " 985")

# %%
raise ValueError("中" * 200 + " 986")

# %%
raise ValueError("中" * 200 + " 987")

# %%
raise ValueError("中" * 200 + " 988")

# %%
raise ValueError("中" * 200 + " 989")

# %%
raise ValueError("中" * 200 + " 990")

# %%
raise ValueError("中" * 200 + " 991")

# %%
raise ValueError("中" * 200 + " 992")

# %%
raise ValueError("中" * 200 + " 993")

# %%
raise ValueError("中" * 200 + " 994")

# %%
raise ValueError("中" * 200 + " 995")

# %%
raise ValueError("中" * 200 + " 996")

# %%
raise ValueError("中" * 200 + " 997")

# %%
raise ValueError("中" * 200 + " 998")

# %%
raise ValueError("中" * 200 + " 999")
